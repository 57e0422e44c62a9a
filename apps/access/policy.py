"""Who may do what: one answer for every door (admin views, library views, services).

The roles' permissions are the table in ``apps/users/roles.py``; this module answers the
questions every entry point asks of it:

- :func:`can` / :func:`require`: may this actor (a member of staff, or the system) do this?
  Services call :func:`require` before they write, so a new page cannot forget the check.
- :func:`role_summary`: one sentence on what a person's role allows, for refusal pages.
- :func:`system_actor`: the named account that commands and demo data act as.
"""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied

from apps.users.roles import MERCHANDISING, SUPPORT, WAREHOUSE

SYSTEM_EMAIL = "system@modestwear.invalid"

ROLE_SUMMARIES = {
    MERCHANDISING: "curates the catalog: categories, coverage levels, products, images, "
    "featured products and outfits",
    WAREHOUSE: "keeps stock true: stock levels, stock adjustments and stock imports",
    SUPPORT: "handles orders and customer accounts, and reads the catalog",
}

# Fields that carry access: changing them is for superusers only, through every door.
ACCESS_FIELDS = frozenset(
    {"is_staff", "is_superuser", "groups", "user_permissions", "password", "is_active"}
)


class ActorNotAllowed(PermissionDenied):
    """A write refused because of who asked; the message is meant for that person."""


def is_system(actor) -> bool:
    return getattr(actor, "email", None) == SYSTEM_EMAIL and not actor.is_active


def system_actor():
    """The account commands, imports run from the shell and demo data act as.

    A real row, so history names it ("system@modestwear.invalid"); inactive and without a
    usable password, so nobody can sign in as it; marked staff, so support never sees it
    among customers.
    """
    from apps.users.models import User

    user, _ = User.objects.get_or_create(
        email=SYSTEM_EMAIL,
        defaults={
            "first_name": "ModestWear",
            "last_name": "system",
            "is_staff": True,
            "is_active": False,
            "password": make_password(None),  # unusable: nobody signs in as the system
        },
    )
    return user


def can(actor, permission: str) -> bool:
    """May ``actor`` use ``permission`` ("app_label.codename")? The system may do anything."""
    if actor is None:
        return False
    if is_system(actor):
        return True
    return bool(actor.is_active and actor.has_perm(permission))


def require(actor, permission: str, doing: str) -> None:
    """Refuse with :class:`ActorNotAllowed` unless ``actor`` may use ``permission``.

    ``doing`` completes "… may not …", e.g. "change stock levels".
    """
    if not can(actor, permission):
        who = "Nobody signed in" if actor is None else describe(actor)
        raise ActorNotAllowed(f"{who} may not {doing}.")


def roles_of(user) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return sorted(group.name for group in user.groups.all() if group.name in ROLE_SUMMARIES)


def describe(user) -> str:
    """ "support@… (Support)": who someone is, in the words of a refusal."""
    if is_system(user):
        return "The system"
    roles = roles_of(user)
    if user.is_superuser:
        return f"{user.email} (superuser)"
    return f"{user.email} ({', '.join(roles) or 'no role'})"


def role_summary(user) -> str:
    """One sentence on what ``user``'s role allows."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "Sign in with a staff account to use the back office."
    if user.is_superuser:
        return "As a superuser you may use every page; this one is refused to everybody."
    roles = roles_of(user)
    if not roles:
        return (
            "Your account has no role yet, so the back office shows you nothing: ask a "
            "superuser to give you the Merchandising, Warehouse or Support role."
        )
    parts = [f"{role} {ROLE_SUMMARIES[role]}" for role in roles]
    return f"Your role: {'; '.join(parts)}."
