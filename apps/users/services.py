"""Writes to accounts that have rules: deactivation (support may deactivate customers only),
sign-ins, staff invitations (superusers only)."""

import secrets

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


class StaffInviteError(ValueError):
    """An invitation the rules refuse; the message is meant for the superuser."""


@transaction.atomic
def staff_invite(*, email: str, first_name: str, last_name: str, role: str, actor):
    """A staff account for ``email`` with exactly one role. Its password is a long random one
    nobody knows: the invitation e-mail's link (Django's password reset) lets them set theirs.
    Superusers only: staff accounts carry access to the shop."""
    from apps.users.models import User
    from apps.users.roles import ROLE_PERMISSIONS

    if actor is None or not actor.is_active or not actor.is_superuser:
        raise ActorNotAllowed("Only superusers invite staff.")
    if role not in ROLE_PERMISSIONS:
        raise StaffInviteError(f"Choose one of the roles: {', '.join(ROLE_PERMISSIONS)}.")
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise StaffInviteError(
            f"{email} already has an account. A customer's account does not become a staff "
            "account: invite another address."
        )
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.is_staff = True
    user.set_password(secrets.token_urlsafe(32))  # usable, so the reset link works; unknown
    user._history_user = actor
    user._change_reason = f"Invited as {role}"
    user.save()
    user.groups.add(_role_group(role))
    return user


def _role_group(role: str):
    from django.contrib.auth.models import Group

    from apps.users.roles import sync_roles

    group = Group.objects.filter(name=role).first()
    if group is None:
        sync_roles()
        group = Group.objects.get(name=role)
    return group
