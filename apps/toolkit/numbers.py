"""Numbers people type or put in URLs: ASCII digits only, within PostgreSQL's ``integer``.

``int()`` accepts "²", "١٢" and "1_000", and PostgreSQL refuses anything past 2,147,483,647:
both end as a 500 when a request's value reaches a query unchecked.
"""

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
