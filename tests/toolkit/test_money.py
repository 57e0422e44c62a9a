from decimal import Decimal

import pytest

from apps.toolkit.money import money


@pytest.mark.parametrize(
    ("currency", "amount", "shown"),
    [
        ("GBP", Decimal("66221.68"), "£66,221.68"),
        ("GBP", Decimal("0"), "£0.00"),
        ("GBP", None, "£0.00"),
        ("EUR", Decimal("1234567.5"), "€1,234,567.50"),
        ("USD", 12.345, "$12.35"),
        ("CHF", Decimal("1000"), "CHF 1,000.00"),
        ("GBP", Decimal("-3"), "-£3.00"),
    ],
)
def test_money_in_the_shops_currency_with_thousands_separators(settings, currency, amount, shown):
    settings.SHOP_CURRENCY = currency
    assert money(amount) == shown
