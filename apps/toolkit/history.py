"""Who changed a row last, in the words a conflict message needs: "(Received: DN-9 by
warehouse@… at 10:42)". Read from the row's django-simple-history records."""

from django.utils import timezone

# Where django-simple-history marks an instance rebuilt from a record (``record.instance``,
# which its revert page shows). Not documented API: tests/toolkit/test_history.py fails if
# an upgrade moves it.
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME


def last_change(instance) -> str:
    """ " (<reason> by <email> at HH:MM)" for the newest history record, or "" without one."""
    history = getattr(instance, "history", None)
    if history is None or instance.pk is None:
        return ""
    record = history.select_related("history_user").order_by("-history_id").first()
    if record is None:
        return ""
    who = record.history_user.email if record.history_user else "the shop"
    when = timezone.localtime(record.history_date).strftime("%H:%M")
    return f" ({record.history_change_reason or 'changed'} by {who} at {when})"


def is_historical(instance) -> bool:
    """Whether ``instance`` was rebuilt from a history record (a revert page's version)."""
    return getattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None
