"""What a search box holds, made searchable: one cleaning for every search in the back office
and the feed's limit on its length."""

import unicodedata

SEARCH_MAX_LENGTH = 200


def search_text(text: str) -> str:
    """PostgreSQL text cannot hold NUL, and other control and format characters mean nothing
    here: they become blanks; blanks collapse; the length is bounded."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    return " ".join(text.split())[:SEARCH_MAX_LENGTH]
