"""Numbers people type or put in URLs: ASCII digits only, within PostgreSQL's ``integer``.

``int()`` accepts "²", "١٢" and "1_000", and PostgreSQL refuses anything past 2,147,483,647:
both end as a 500 when a request's value reaches a query unchecked.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

PG_INT_MAX = 2_147_483_647


def parse_int(value, *, minimum: int = 0, maximum: int = PG_INT_MAX) -> int | None:
    """The integer ``value`` spells in ASCII digits within [minimum, maximum], else None.

    A leading "+" or "-" is read as a sign ("+3" in a stock delta); the range decides
    whether a negative number is allowed.
    """
    text = str(value if value is not None else "").strip()
    sign = -1 if text.startswith("-") else 1
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        return None
    number = sign * int(digits)
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A primary key from a URL or a search box: 1 to PG_INT_MAX."""
    return parse_int(value, minimum=1)


# Form fields with the same rule: Django's accept "٥٥", "１６００" and "1_600" (int() and
# Decimal() do), which an import refuses; forms and imports must agree.

ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
ASCII_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # "+5": refused, as imports do


class _AsciiDigits:
    pattern: re.Pattern

    def to_python(self, value):
        if value not in self.empty_values and not self.pattern.fullmatch(str(value).strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AsciiIntegerField(_AsciiDigits, forms.IntegerField):
    """An integer typed in digits 0–9."""

    pattern = ASCII_INTEGER


class AsciiDecimalField(_AsciiDigits, forms.DecimalField):
    """A decimal typed in digits 0–9 with an optional point: no exponent, no NaN."""

    pattern = ASCII_DECIMAL


def ascii_form_class(db_field):
    """The form field class for a numeric model field, or None for other fields."""
    if db_field.choices:
        return None
    if isinstance(db_field, models.DecimalField):
        return AsciiDecimalField
    if isinstance(db_field, models.IntegerField):
        return AsciiIntegerField
    return None
