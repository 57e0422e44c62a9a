"""Numbers from people and URLs: ASCII digits within PostgreSQL's integer, or nothing."""

import pytest
from django.urls import reverse

from apps.toolkit.numbers import PG_INT_MAX, parse_id, parse_int
from tests.factories import OrderFactory, ProductFactory, VariantFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        (str(PG_INT_MAX), PG_INT_MAX),
        (str(PG_INT_MAX + 1), None),
        ("²", None),
        ("١٢", None),
        ("1_000", None),
        ("-1", None),
        ("1e3", None),
        ("7\x00", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
    ],
)
def test_parse_int(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+3", 3),
        ("-3", -3),
        (" -0 ", 0),
        (f"-{PG_INT_MAX}", -PG_INT_MAX),
        (f"+{PG_INT_MAX + 1}", None),
        ("--3", None),
        ("+-3", None),
        ("-", None),
        ("-٣", None),
        ("- 3", None),
    ],
)
def test_a_signed_integer_needs_a_range_that_allows_it(value, expected):
    assert parse_int(value, minimum=-PG_INT_MAX) == expected


def test_a_sign_does_not_widen_the_range():
    assert parse_int("+5") == 5 and parse_int("-5") is None


def test_an_id_starts_at_one():
    assert parse_id("0") is None and parse_id("1") == 1


HOSTILE = ["abc", "%00", "²", "١٢", "99999999999999999999", "-1", "1.5", "x" * 5000]


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("merchandising", "admin:catalog_product_changelist"),
        ("warehouse", "admin:catalog_productvariant_changelist"),
        ("warehouse", "admin:catalog_productvariant_export_all_csv"),
    ],
)
def test_a_malformed_category_filter_is_no_500(client_as, role, url_name, value):
    VariantFactory(product=ProductFactory())
    response = client_as(role).get(reverse(url_name), {"category": value})
    assert response.status_code in (200, 302)


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["²", "١٢", "#99999999999999", "0", "#-3"])
def test_an_order_search_with_a_strange_number_finds_nothing_and_no_500(client_as, term):
    OrderFactory()
    response = client_as("support").get(reverse("admin:orders_order_changelist"), {"q": term})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.django_db
def test_an_order_number_is_found(client_as):
    order = OrderFactory()
    response = client_as("support").get(
        reverse("admin:orders_order_changelist"), {"q": f"#{order.pk}"}
    )
    assert [o.pk for o in response.context["cl"].result_list] == [order.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["abc", "²", "99999999999", "0"])
def test_a_malformed_history_version_is_not_found(client_as, version):
    product = ProductFactory()
    url = f"{reverse('admin:catalog_product_history', args=[product.pk])}{version}/"
    assert client_as("merchandising").get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", ["2147483648", "99999999999999999999"])
def test_an_adjustment_beyond_the_integer_range_is_a_form_error(client_as, quantity):
    variant = VariantFactory(stock_available=5)
    response = client_as("warehouse").post(
        reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk]),
        {"reason": "received", "quantity": quantity, "confirm": "1"},
    )
    assert response.status_code == 200
    assert "2147483647" in response.content.decode().replace(",", "").replace("\u202f", "")
    variant.refresh_from_db()
    assert variant.stock_available == 5


@pytest.mark.django_db
def test_a_receipt_that_would_overflow_the_level_is_refused():
    from apps.catalog.services import StockError, StockReason, stock_adjust
    from tests.actors import system

    variant = VariantFactory(stock_available=2_147_483_600)
    with pytest.raises(StockError, match="more than a stock level can hold"):
        stock_adjust(variant=variant, quantity=100, reason=StockReason.RECEIVED, actor=system())
    variant.refresh_from_db()
    assert variant.stock_available == 2_147_483_600
