import pytest
from django.core.management import call_command


@pytest.fixture
def client():
    """Django's test client, sending forms as the admin's pages do (tests/keyed.py)."""
    from tests.keyed import KeyedClient

    return KeyedClient()


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's client signed in as a superuser, sending forms as pages do."""
    from tests.keyed import KeyedClient

    client = KeyedClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def demo_data(db):
    """The demo data set, loaded as ``bin/run`` loads it."""
    call_command("load_demo", "--allow-without-debug", verbosity=0, stdout=open("/dev/null", "w"))


@pytest.fixture(autouse=True)
def _empty_cache():
    # Test transactions roll back without on-commit hooks, so the feed's version never moves:
    # each test starts from an empty cache instead.
    from django.core.cache import cache

    from apps.feed.cache import reset_local

    cache.clear()
    reset_local()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded and generated files go to a per-test folder, never the developer's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


ROLE_EMAILS = {
    "merchandising": ("merch@test.example", "Merchandising"),
    "warehouse": ("warehouse@test.example", "Warehouse"),
    "support": ("support@test.example", "Support"),
    "no_role": ("norole@test.example", None),
}


@pytest.fixture
def staff_user(db):
    """Make a staff member with one role ("merchandising", "warehouse", "support", "no_role")."""
    from django.contrib.auth.models import Group

    from apps.users.models import User
    from apps.users.roles import sync_roles

    def make(role):
        sync_roles()
        email, group = ROLE_EMAILS[role]
        user = User.objects.create_user(email, password="a-long-staff-passphrase", is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def client_as(client, staff_user, admin_user):
    """A test client signed in as a role, or as "superuser"."""

    def sign_in(role):
        user = admin_user if role == "superuser" else staff_user(role)
        client.force_login(user)
        client.user = user
        return client

    return sign_in
