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


# Forms take the same numbers as imports ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["٥٥", "５５", "1_600", "1e2", "55.0", " ", "+-5"])
def test_a_typed_stock_level_is_digits_0_to_9(client_as, typed):
    variant = VariantFactory(stock_available=7)
    url = reverse("admin:catalog_productvariant_change", args=[variant.pk])
    response = client_as("warehouse").post(
        url, {"stock_available": typed, "stock_available__seen": "7", "is_active": "on"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "Enter a whole number" in response.content.decode() or typed.strip() == ""
    assert type(variant).objects.get(pk=variant.pk).stock_available == 7


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["١٧٠٠", "１６００", "1_600", "1e2", "NaN", "Infinity", "+5"])
def test_a_typed_price_is_digits_0_to_9(client_as, typed):
    from decimal import Decimal

    product = ProductFactory(base_price=Decimal("79.00"))
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = client_as("merchandising").post(
        url,
        {
            "name": product.name,
            "slug": product.slug,
            "category": product.category_id,
            "base_price": typed,
            "base_price__seen": "79.00",
            "variants-TOTAL_FORMS": 0,
            "variants-INITIAL_FORMS": 0,
            "images-TOTAL_FORMS": 0,
            "images-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Enter a number" in response.content.decode()
    assert type(product).objects.get(pk=product.pk).base_price == Decimal("79.00")


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("integer", "-12", -12),
        ("integer", "+7", 7),
        ("decimal", "79.5", "79.5"),
        ("decimal", ".5", "0.5"),
        ("decimal", "79.", "79"),
    ],
)
def test_ascii_numbers_are_read(field, text, value):
    from decimal import Decimal

    from apps.toolkit.numbers import AsciiDecimalField, AsciiIntegerField

    form_field = AsciiIntegerField() if field == "integer" else AsciiDecimalField()
    expected = value if field == "integer" else Decimal(value)
    assert form_field.clean(text) == expected
