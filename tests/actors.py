"""Who the tests act as when the actor is not what a test is about: the system account that
commands and demo data use (``apps.access.policy.system_actor``)."""

from apps.access.policy import system_actor


def system():
    return system_actor()


def staff(role: str, email: str | None = None):
    """A staff account with one role ("Merchandising", "Warehouse" or "Support")."""
    from django.contrib.auth.models import Group

    from apps.users.models import User
    from apps.users.roles import sync_roles

    if not Group.objects.filter(name=role).exists():
        sync_roles()
    user = User.objects.create_user(
        email or f"{role.lower()}-{User.objects.count()}@test.example", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user
