"""Counts in sentences people read: "1 category", "3 categories", never "1 categories"."""


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """``number`` with the noun that agrees with it (``plural`` defaults to singular + "s")."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
