"""The one table of the shared admin machinery: submissions that changed something.

A form that changes state carries a one-time key from the page that drew it
(``submissions.py``). The first submission of a key records it here, in the transaction of
the change itself; a repeat (a double click, Back and resubmit, a browser retry) finds the
row and is answered with what the first did. Rows older than the keys' lifetime are removed
by ``manage.py clear_submissions``: such a key is refused anyway.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    key = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500, help_text="The door it was sent to.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    said = models.JSONField(
        default=list, help_text="The messages it left: [level, text, is HTML] each."
    )
    redirect_to = models.CharField(max_length=2000, blank=True)
    answer = models.JSONField(
        null=True, blank=True, help_text="A JSON door's answer, or a page it answered with."
    )
    body = models.CharField(
        max_length=64, blank=True, help_text="A digest of what was sent (the key aside)."
    )
    applied = models.BooleanField(
        default=False,
        help_text="Set where the change is written, so that a change rolled back unsets it.",
    )

    class Meta:
        verbose_name = "form submission"

    def __str__(self):
        return f"{self.path} by user #{self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"
