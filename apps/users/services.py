"""Writes to accounts that have rules: deactivation (support may deactivate customers only),
sign-ins."""

from django.db import transaction
from django.utils import timezone

from apps.access.policy import ActorNotAllowed, require


@transaction.atomic
def user_deactivate(*, users, actor) -> int:
    """Deactivate accounts (they can no longer sign in; their orders stay). Returns how many
    changed. Staff accounts carry access to the shop: only superusers deactivate those."""
    require(actor, "users.change_user", "deactivate accounts")
    users = list(users.select_for_update().order_by("pk"))
    staff = [user.email for user in users if user.is_staff or user.is_superuser]
    if staff and not actor.is_superuser:
        raise ActorNotAllowed(
            "Only superusers may deactivate staff accounts: " + ", ".join(staff) + "."
        )
    changed = 0
    for user in users:
        if user.is_active:
            user.is_active = False
            user._history_user = actor
            user._change_reason = "Deactivated"
            user.save(update_fields=["is_active"])
            changed += 1
    return changed


def record_sign_in(sender, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the time of the sign-in, in its one column. No history
    row (nothing audited changed) and nothing the storefront feed shows."""
    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)
