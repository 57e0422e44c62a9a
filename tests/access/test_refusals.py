"""What each role is refused, and how: in the admin's layout, with the reason and a way back;
links a role cannot follow are not shown; a revert restores only what the role may edit."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.catalog.models import CoverageLevel
from apps.users.models import User
from tests.factories import CoverageLevelFactory, OrderFactory, OutfitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_history():
    """A superuser whose e-mail was changed once: an old version to revert to."""
    boss = User.objects.create_superuser("boss@modestwear.example", "a-long-passphrase-1")
    boss.email = "boss-new@modestwear.example"
    boss.save()
    return boss, boss.history.order_by("history_id").first()


@pytest.mark.parametrize("page", ["history", "simple_history"])
def test_support_is_refused_a_staff_accounts_history_and_revert(client_as, superuser_history, page):
    boss, first = superuser_history
    client = client_as("support")
    args = [boss.pk] if page == "history" else [boss.pk, first.history_id]
    url = reverse(f"admin:users_user_{page}", args=args)
    for response in (
        client.get(url),
        client.post(url, {"email": "support-owns-you@example.com", "is_active": ""}),
    ):
        assert response.status_code == 403
        html = response.content.decode()
        assert "Staff accounts are managed by superusers" in html
        assert "Your role: Support handles orders and customer accounts" in html
        assert 'id="refusal"' in html and "Back to the dashboard" in html
        assert "ModestWear back office" in html  # the admin's own layout
    boss.refresh_from_db()
    assert boss.email == "boss-new@modestwear.example" and boss.is_active


def test_a_revert_never_restores_access_the_form_does_not_show(client_as):
    customer = UserFactory(email="amina@example.com", first_name="Amina")
    # Once, long ago and by mistake, the customer was staff.
    customer.is_staff = customer.is_superuser = True
    customer.save()
    staff_version = customer.history.order_by("-history_id").first()
    customer.is_staff = customer.is_superuser = False
    customer.first_name = "Amina R."
    customer.save()
    client = client_as("support")
    url = reverse("admin:users_user_simple_history", args=[customer.pk, staff_version.history_id])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="is_staff"' not in form.content.decode()
    # The agent presses "Revert" on the old version: the form posts the fields it shows,
    # plus whatever a crafted request adds.
    response = client.post(
        url,
        {
            "email": "amina@example.com",
            "first_name": "Amina",
            "last_name": customer.last_name,
            "phone_number": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.first_name == "Amina"  # the field support may edit is reverted
    assert not customer.is_staff and not customer.is_superuser
    latest = customer.history.order_by("-history_id").first()
    assert latest.history_user.email == "support@test.example"
    assert latest.history_change_reason.startswith("Reverted to the version of ")


@pytest.mark.parametrize("role", ["warehouse", "support"])
def test_read_only_roles_cannot_revert_a_coverage_level(client_as, role):
    level = CoverageLevelFactory(name="Modest", description="Old words")
    first = level.history.get()
    level.description = "New words"
    level.save()
    client = client_as(role)
    url = reverse("admin:catalog_coveragelevel_simple_history", args=[level.pk, first.history_id])
    page = client.get(url)
    assert page.status_code == 200 and ">Revert<" not in page.content.decode()
    refused = client.post(url, {"name": "Modest", "description": "Old words"})
    assert refused.status_code == 403
    assert "may read this history but not revert it" in refused.content.decode()
    assert CoverageLevel.objects.get(pk=level.pk).description == "New words"


def test_history_links_a_changed_by_e_mail_only_for_superusers(client_as):
    level = CoverageLevelFactory(name="Modest")
    colleague = User.objects.create_superuser("boss@modestwear.example", "a-long-passphrase-1")
    level.description = "Changed"
    level._history_user = colleague
    level.save()
    url = reverse("admin:catalog_coveragelevel_history", args=[level.pk])
    staff_link = reverse("admin:users_user_change", args=[colleague.pk])
    for role, linked in [("merchandising", False), ("warehouse", False), ("superuser", True)]:
        html = client_as(role).get(url).content.decode()
        assert "boss@modestwear.example" in html
        assert (staff_link in html) is linked, role


def test_the_outfit_owner_is_plain_text_for_merchandising(client_as):
    outfit = OutfitFactory()
    html = (
        client_as("merchandising")
        .get(reverse("admin:outfits_outfit_change", args=[outfit.pk]))
        .content.decode()
    )
    assert outfit.user.email in html
    assert reverse("admin:users_user_change", args=[outfit.user_id]) not in html
    assert "lookup" not in html.split(outfit.user.email)[0][-400:]


def test_support_sees_no_password_link_on_a_customer(client_as):
    customer = UserFactory()
    html = (
        client_as("support")
        .get(reverse("admin:users_user_change", args=[customer.pk]))
        .content.decode()
    )
    assert reverse("admin:auth_user_password_change", args=[customer.pk]) not in html
    assert "../password/" not in html


def test_a_stale_mark_paid_says_who_cancelled_the_order_and_when(client_as, staff_user):
    from apps.orders.services import order_cancel

    order = OrderFactory(status="pending")
    other_agent = staff_user("support")
    order_cancel(order_id=order.pk, reason="Customer called", actor=other_agent)
    client = client_as("superuser")
    response = client.post(
        reverse("admin:orders_order_mark_paid", args=[order.pk]), {"confirm": "1"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Order #{order.pk} is cancelled, so it cannot be marked paid" in html
    assert "It was marked cancelled by support@test.example (Support) at " in html
    assert "(Customer called)" in html
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_a_staff_member_without_a_role_sees_an_empty_admin_and_is_told_why(client_as):
    client = client_as("no_role")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["available_apps"] == []
    refused = client.get(reverse("admin:catalog_product_changelist"))
    assert refused.status_code == 403
    assert "Your account has no role yet" in refused.content.decode()


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("merchandising", ["Categories", "Products", "Outfits"], ["Orders", "Roles"]),
        ("warehouse", ["Stock by variant", "Low stock"], ["Orders", "Customers", "Roles"]),
        ("support", ["Orders", "Customers", "Products"], ["Roles", "Staff accounts"]),
        ("superuser", ["Products", "Orders", "Roles", "Staff accounts"], []),
    ],
)
def test_the_sidebar_shows_each_role_its_work(client_as, role, visible, hidden):
    from backoffice.navigation import sidebar

    request = type("Request", (), {"user": client_as(role).user})()
    titles = [item["title"] for group in sidebar(request) for item in group["items"]]
    assert set(visible) <= set(titles)
    assert not set(hidden) & set(titles)


def test_the_system_account_cannot_sign_in_and_support_never_sees_it(client, client_as):
    from apps.access.policy import SYSTEM_EMAIL, system_actor

    system = system_actor()
    assert not system.is_active and not system.has_usable_password()
    signin = client.post(reverse("admin:login"), {"username": SYSTEM_EMAIL, "password": ""})
    assert "_auth_user_id" not in client.session and signin.status_code == 200
    listing = client_as("support").get(reverse("admin:users_user_changelist"))
    assert SYSTEM_EMAIL not in listing.content.decode()
    assert Group.objects.filter(user=system).count() == 0
