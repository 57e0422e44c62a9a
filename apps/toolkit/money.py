"""Money as staff read it: the shop's currency and thousands separators ("£66,221.68")."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount) -> str:
    """``amount`` in ``settings.SHOP_CURRENCY``, to the penny: "£1,234.50", "-£3.00", or
    "CHF 1,234.50" for a currency without a symbol here."""
    value = Decimal(str(amount or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    code = settings.SHOP_CURRENCY
    symbol = SYMBOLS.get(code)
    digits = f"{abs(value):,.2f}"
    text = f"{symbol}{digits}" if symbol else f"{code} {digits}"
    return f"-{text}" if value < 0 else text
