"""Staff accounts apart from customers; inviting staff with one role."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.access.policy import ActorNotAllowed
from apps.users.models import User
from apps.users.services import StaffInviteError, staff_invite
from tests.actors import staff
from tests.factories import OrderFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
USERS = reverse("admin:users_user_changelist")
INVITE = reverse("admin:users_user_invite_staff")


def test_a_superuser_sees_customers_and_staff_accounts_apart(client_as):
    client = client_as("superuser")
    customer = UserFactory(email="huda@example.com")
    OrderFactory(user=customer)
    colleague = StaffFactory(email="colleague@modestwear.example")
    response = client.get(USERS)
    assert response.status_code == 302 and response["Location"].endswith("?is_staff__exact=0")
    customers = client.get(response["Location"])
    listed = {u.email for u in customers.context["cl"].result_list}
    assert customer.email in listed and colleague.email not in listed
    assert "Spent" in customers.content.decode()
    staff = client.get(USERS + "?is_staff__exact=1")
    html = staff.content.decode()
    assert colleague.email in {u.email for u in staff.context["cl"].result_list}
    assert staff.context["cl"].list_display[1:] == [
        "email",
        "full_name",
        "roles",
        "is_active",
        "last_login",
    ]  # no orders, money spent or e-mail confirmation for a member of staff
    assert ">Role<" in " ".join(html.split()).replace("> ", ">").replace(" <", "<")


def test_a_superuser_invites_staff_with_one_role_who_then_chooses_a_password(
    client_as, client, django_capture_on_commit_callbacks
):
    inviter = client_as("superuser")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes on commit
        response = inviter.post(
            INVITE,
            {"email": "new.agent@modestwear.example", "first_name": "Noor", "role": "Support"},
            follow=True,
        )
    assert "new.agent@modestwear.example is invited as Support." in response.content.decode()
    user = User.objects.get(email="new.agent@modestwear.example")
    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == ["Support"]
    (invitation,) = mail.outbox
    assert invitation.to == [user.email] and "as Support" in invitation.body
    link = re.search(r"https?://[^/]+(/\S+/reset/\S+/)", invitation.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session one
    done = client.post(
        form_url,
        {"new_password1": "A-long-new-passphrase-7", "new_password2": "A-long-new-passphrase-7"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("A-long-new-passphrase-7")


def test_an_address_with_an_account_is_not_invited(client_as):
    UserFactory(email="huda@example.com")
    response = client_as("superuser").post(INVITE, {"email": "HUDA@example.com", "role": "Support"})
    assert "already has an account" in response.content.decode()
    assert not User.objects.get(email="huda@example.com").is_staff
    assert mail.outbox == []


def test_only_superusers_invite_staff(staff_user):
    support = staff_user("support")
    with pytest.raises(ActorNotAllowed):
        staff_invite(
            email="x@modestwear.example", first_name="", last_name="", role="Support", actor=support
        )
    with pytest.raises(StaffInviteError):
        staff_invite(
            email="x@modestwear.example",
            first_name="",
            last_name="",
            role="Superuser",
            actor=User.objects.create_superuser("boss@modestwear.example", "a-long-passphrase-9"),
        )
    assert not User.objects.filter(email="x@modestwear.example").exists()


def _staff_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(USERS + "?is_staff__exact=1")
    assert response.status_code == 200
    return len(queries)


def test_the_staff_list_reads_roles_in_one_query_however_many_accounts(client_as):
    client = client_as("superuser")
    staff("Support")
    few = _staff_list_queries(client)
    for number in range(8):
        staff("Support", f"agent{number}@modestwear.example")
    assert _staff_list_queries(client) == few
    assert client.get(USERS + "?is_staff__exact=1").content.decode().count("Support") >= 9
