import pytest
from django.core.management import call_command

from apps.users.models import USERNAME_MAX_LENGTH, User

pytestmark = pytest.mark.django_db


def test_email_is_the_login():
    user = User.objects.create_user("Amina.Rahman@Example.COM", password="s3cret-pass")
    assert User.USERNAME_FIELD == "email"
    assert user.email == "Amina.Rahman@example.com"  # the domain is normalised
    assert user.check_password("s3cret-pass")
    assert not user.is_verified


@pytest.mark.parametrize(
    ("email", "username"),
    [
        ("amina@example.com", "amina"),
        ("Amina.Rahman+shop@example.com", "amina-rahman-shop"),
        ("fátima.özdemir@example.com", "fatima-ozdemir"),
        ("ملك@example.com", "user"),
    ],
)
def test_username_is_generated_from_the_email(email, username):
    assert User.objects.create_user(email).username == username


def test_username_collisions_get_a_number():
    first = User.objects.create_user("amina@example.com")
    second = User.objects.create_user("amina@example.org")
    third = User.objects.create_user("Amina@example.net")
    assert [first.username, second.username, third.username] == ["amina", "amina-2", "amina-3"]


def test_username_never_exceeds_its_column_even_with_a_suffix():
    local = "a" * 80
    first = User.objects.create_user(f"{local}@example.com")
    second = User.objects.create_user(f"{local}@example.org")
    assert len(first.username) == USERNAME_MAX_LENGTH
    assert len(second.username) == USERNAME_MAX_LENGTH
    assert second.username.endswith("-2")


def test_username_is_stable_when_the_email_changes():
    user = User.objects.create_user("amina@example.com")
    user.email = "amina.rahman@example.com"
    user.save()
    user.refresh_from_db()
    assert user.username == "amina"


def test_createsuperuser_asks_for_the_email(monkeypatch):
    answers = iter(["boss@modestwear.example"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-long-enough-passphrase")
    prompts = []
    # The command calls the builtin input(); a module global of that name answers instead.
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.createsuperuser.input",
        lambda prompt="": prompts.append(prompt) or next(answers),
        raising=False,
    )
    call_command(
        "createsuperuser", interactive=True, stdin=FakeTTY(), stdout=open("/dev/null", "w")
    )
    user = User.objects.get(email="boss@modestwear.example")
    assert user.is_superuser and user.is_staff
    assert user.username == "boss"
    assert any("E-mail address" in prompt for prompt in prompts)


class FakeTTY:
    def isatty(self):
        return True
