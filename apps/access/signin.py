"""Sign-in rules beside django-axes' per-address lockout.

Axes locks an e-mail *from one address* after ``AXES_FAILURE_LIMIT`` failures. Someone
guessing from many addresses never trips that, so an account also locks after
``ACCOUNT_FAILURE_LIMIT`` failures from any addresses within ``ACCOUNT_FAILURE_WINDOW``,
counted from axes' failure log. A superuser unlocks it (the "Sign-in lockouts" admin), or it
opens again when the window has passed.
"""

from axes.models import AccessAttempt, AccessFailureLog
from django import forms
from django.conf import settings
from django.utils import timezone
from unfold.forms import AuthenticationForm


def recent_failures(username: str) -> int:
    since = timezone.now() - settings.ACCOUNT_FAILURE_WINDOW
    return AccessFailureLog.objects.filter(
        username__iexact=username.strip(), attempt_time__gte=since
    ).count()


def account_locked(username: str) -> bool:
    return bool(username) and recent_failures(username) >= settings.ACCOUNT_FAILURE_LIMIT


def unlock(usernames) -> int:
    """Forget the failures of these accounts (all addresses). Returns the rows removed."""
    removed = 0
    for username in {u.strip().lower() for u in usernames if u}:
        removed += AccessFailureLog.objects.filter(username__iexact=username).delete()[0]
        removed += AccessAttempt.objects.filter(username__iexact=username).delete()[0]
    return removed


class SignInForm(AuthenticationForm):
    """The admin's sign-in form, refusing a locked account before checking its password."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if account_locked(username):
            minutes = int(settings.ACCOUNT_FAILURE_WINDOW.total_seconds() // 60)
            raise forms.ValidationError(
                f"This account is locked: {settings.ACCOUNT_FAILURE_LIMIT} failed sign-ins in "
                f"the last {minutes} minutes. Try again later, or ask a superuser to unlock it "
                "(Sign-in lockouts).",
                code="account_locked",
            )
        return super().clean()
