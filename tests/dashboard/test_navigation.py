"""The sidebar marks the one entry for the page, however many share its path."""

from urllib.parse import quote

import pytest
from django.test import RequestFactory

from apps.dashboard.navigation import sidebar
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def active(user, url):
    request = RequestFactory().get(url)
    request.user = user
    return [
        item["title"] for group in sidebar(request) for item in group["items"] if item["active"]
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/catalog/productvariant/", ["Stock by variant"]),
        ("/admin/catalog/productvariant/?stock=low&is_active__exact=1", ["Low stock"]),
        ("/admin/catalog/productvariant/?is_active__exact=1&stock=out&o=2", ["Out of stock"]),
        ("/admin/catalog/productvariant/?stock=low", ["Stock by variant"]),  # not the whole filter
        (
            "/admin/catalog/productvariant/7/change/?_changelist_filters="
            + quote("stock=out&is_active__exact=1"),
            ["Out of stock"],
        ),
        ("/admin/orders/order/12/change/", ["Orders"]),
        ("/admin/", []),
    ],
)
def test_one_entry_is_marked_for_the_page(admin_user, url, expected):
    assert active(admin_user, url) == expected


def test_a_staff_account_marks_staff_accounts_and_a_customer_customers(admin_user):
    staff, customer = StaffFactory(), UserFactory()
    assert active(admin_user, f"/admin/users/user/{staff.pk}/change/") == ["Staff accounts"]
    assert active(admin_user, f"/admin/users/user/{customer.pk}/change/") == ["Customers"]
    assert active(admin_user, f"/admin/users/user/{staff.pk}/history/") == ["Staff accounts"]
    assert active(admin_user, "/admin/users/user/?is_staff__exact=1") == ["Staff accounts"]
    assert active(admin_user, "/admin/users/user/") == ["Customers"]


def test_the_rendered_sidebar_highlights_that_entry_alone(client_as):
    import re

    html = client_as("warehouse").get("/admin/catalog/productvariant/?stock=low&is_active__exact=1")
    links = re.findall(r'<a href="([^"]*)" class="[^"]*\bactive"', html.content.decode())
    assert links == ["/admin/catalog/productvariant/?stock=low&amp;is_active__exact=1"]
