"""What each role is refused, and how: in the admin's layout, with the reason and a way back;
links a role cannot follow are not shown; a revert restores only what the role may edit."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
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
    # The history page says "Reverted", and no reason reads "None".
    import re

    page = client.get(reverse("admin:users_user_history", args=[customer.pk])).content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page.split("<tbody>")[1], re.S)
    cells = [
        {
            label: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
            for label, text in re.findall(r'data-label="([^"]+)">(.*?)</t[dh]>', row, re.S)
        }
        for row in rows
    ]
    assert cells[0]["Comment"] == "Reverted"
    assert all(row["Change reason"] != "None" for row in cells), cells


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
        (
            "merchandising",
            ["Categories", "Products", "Outfits"],
            ["Orders", "Customer e-mails", "Roles"],
        ),
        (
            "warehouse",
            ["Stock by variant", "Low stock"],
            ["Orders", "Customer e-mails", "Customers", "Roles"],
        ),
        (
            "support",
            ["Orders", "Customer e-mails", "Customers", "Products"],
            ["Roles", "Staff accounts"],
        ),
        ("superuser", ["Products", "Orders", "Roles", "Staff accounts"], []),
    ],
)
def test_the_sidebar_shows_each_role_its_work(client_as, role, visible, hidden):
    from django.test import RequestFactory

    from apps.dashboard.navigation import sidebar

    request = RequestFactory().get("/admin/")
    request.user = client_as(role).user
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


# Found by attacking the admin as each role ---------------------------------------------------


@pytest.mark.parametrize("role", ["merchandising", "warehouse", "support", "no_role"])
def test_the_delete_page_refuses_before_it_names_a_customers_orders(client_as, role):
    order = OrderFactory(user=UserFactory(email="fatima.khan@example.com"))
    client = client_as(role)
    url = reverse("admin:users_user_delete", args=[order.user_id])
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 403
        assert "fatima.khan@example.com" not in response.content.decode()


def test_nobody_deletes_their_own_account(client_as):
    client = client_as("superuser")
    response = client.post(
        reverse("admin:users_user_delete", args=[client.user.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=client.user.pk).exists()


def test_a_deleted_staff_accounts_history_stays_out_of_supports_scope(client_as):
    colleague = User.objects.create_user("tmpstaff@modestwear.example", is_staff=True)
    pk, version = colleague.pk, colleague.history.get().history_id
    colleague.delete()
    client = client_as("support")
    for url in (
        reverse("admin:users_user_history", args=[pk]),
        reverse("admin:users_user_simple_history", args=[pk, version]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "tmpstaff@" not in response.content.decode()


@pytest.mark.parametrize(
    "email", ["admin@modestwear.example", "system@modestwear.invalid", "gone@example.com"]
)
def test_phone_orders_are_for_active_customers_only(client_as, email):
    from apps.access.policy import system_actor
    from apps.orders.models import Order
    from tests.factories import VariantFactory

    system_actor()
    User.objects.create_superuser("admin@modestwear.example", "a-long-passphrase-1")
    UserFactory(email="gone@example.com", is_active=False)
    variant = VariantFactory(sku="ABY-M-BLK", stock_available=5)
    response = client_as("support").post(
        reverse("admin:orders_order_phone_order"),
        {"customer": email, "address": "1 Road", "lines": f"{variant.sku} 1", "confirm": "1"},
    )
    assert response.status_code == 200
    assert "No active customer has the e-mail address" in response.content.decode()
    assert not Order.objects.exists()


def test_a_wishlist_shows_merchandising_the_customer_as_text(client_as):
    from tests.factories import WishlistFactory

    wish = WishlistFactory()
    html = (
        client_as("merchandising")
        .get(reverse("admin:orders_wishlist_change", args=[wish.pk]))
        .content.decode()
    )
    assert wish.user.email in html
    assert reverse("admin:users_user_change", args=[wish.user_id]) not in html


@pytest.mark.parametrize("object_id", ["abc", "1.5", "0x1", "99999999999999", "%C0%AE"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/product/{}/history/",
        "/admin/users/user/{}/history/",
        "/admin/orders/order/{}/history/1/",
        "/admin/orders/order/{}/change/",
    ],
)
def test_a_malformed_object_id_is_not_found_never_a_500(client_as, url, object_id):
    response = client_as("superuser").get(url.format(object_id))
    if url.endswith("/change/"):  # Django's own answer: back to the dashboard, "not found"
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/autocomplete/?app_label=catalog&model_name=product&field_name=category&term=%00",
        "/admin/orders/order/?status__exact=%00",
        "/admin/catalog/product/?q=%00",
        "/api/catalog/products/?category=%00",
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400(client_as, url):
    response = client_as("superuser").get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_an_expired_form_is_explained_in_the_admins_layout(client_as):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(client_as("support").user)
    customer = UserFactory()
    response = client.post(reverse("admin:users_user_change", args=[customer.pk]), {})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="refusal"' in html and "Nothing was saved" in html


@pytest.mark.parametrize("count", [1, 60])
def test_the_scope_of_a_bulk_selection_costs_the_same_queries_for_any_size(
    rf, staff_user, count, django_assert_num_queries
):
    from django.contrib import admin

    customers = [UserFactory() for _ in range(count)]
    boss = User.objects.create_superuser("boss@modestwear.example", "a-long-passphrase-1")
    request = rf.get("/")
    request.user = staff_user("support")
    user_admin = admin.site._registry[User]
    ids = [str(c.pk) for c in customers]
    with django_assert_num_queries(1):  # every id in scope: one query
        assert user_admin.selection_problem(request, ids) is None
    with django_assert_num_queries(2):  # one hidden: one more to know it exists
        with pytest.raises(PermissionDenied):
            user_admin.selection_problem(request, [*ids, str(boss.pk)])


@pytest.mark.parametrize(
    "bad", ["abc", "1.5", "", "١", "99999999999", "0", "-1", "15\x00", "2147483600"]
)
def test_a_bulk_action_on_ids_that_are_not_rows_does_nothing_and_says_so(client_as, bad):
    from apps.orders.models import Order
    from tests.factories import OrderFactory

    order = OrderFactory(status="pending")
    client = client_as("support")
    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "bulk_mark_paid", helpers.ACTION_CHECKBOX_NAME: [str(order.pk), bad]},
        follow=True,
    )
    assert response.status_code in (200, 400)  # a NUL byte is refused before any view
    if response.status_code == 200:
        html = response.content.decode()
        assert "nothing was done" in html
    assert Order.objects.get(pk=order.pk).status == "pending"  # not even the valid one


@pytest.mark.parametrize("spelling", ["arabic", "+{pk}", "0{pk}", " {pk}", "{pk}.0"])
@pytest.mark.parametrize("page", ["change", "add_note", "packing_slip", "history"])
def test_an_object_is_named_only_by_its_plain_id(client_as, spelling, page):
    """int() reads "٣", "+5", "05" and " 5": the admin must not act on order 5 for them."""
    from apps.orders.models import OrderNote

    client = client_as("support")
    order = OrderFactory()
    if spelling == "arabic":  # "٤٢" for order 42
        number = str(order.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    else:
        number = spelling.format(pk=order.pk)
    url = reverse(f"admin:orders_order_{page}", args=["PLACEHOLDER"]).replace("PLACEHOLDER", number)
    # The order page refuses every POST (403) before it looks at the id.
    for response in (client.get(url), client.post(url, {"text": "a note"})):
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        assert response.status_code != 403 or response.wsgi_request.method == "POST"
        if response.status_code == 302:
            assert f"/{order.pk}/" not in response["Location"]
    assert not OrderNote.objects.exists()


def test_every_list_filter_title_reads_as_words(client_as):
    """ "By is active", "By placed": filter titles are field names unless given words."""
    import re

    from django.contrib import admin

    client = client_as("superuser")
    titles = set()
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        html = client.get(url, follow=True).content.decode()
        titles |= {" ".join(t.split()) for t in re.findall(r"\bBy ([^<]+)<", html)}
    assert titles, "no filter found at all"
    odd = {t for t in titles if t.startswith(("is ", "has ")) or "_" in t or t == "placed"}
    assert not odd, odd
