"""The feed's query parameters: strict, normalised and described (they are the OpenAPI document's
parameters, and the validated values are the cache key, apps/feed/cache.py).

Strict: numbers are ASCII digits ("٣", "1_000", "1e3" and "+5" are refused, as everywhere in the
back office); NUL never reaches a query (``RejectNulMiddleware`` answers 400 first). Normalised:
repeated values are sorted and deduplicated, sizes upper-cased, page sizes capped at 100, so
two spellings of one question share one cached answer.
"""

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field

from apps.catalog.models import ProductVariant
from apps.toolkit.numbers import ASCII_DECIMAL, ASCII_INTEGER
from apps.toolkit.search import SEARCH_MAX_LENGTH

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
SIZE_LABELS = [label for _, label in ProductVariant.Size.choices]
FLAGS = {"true": True, "1": True, "false": False, "0": False}


# A storefront form sends its empty fields ("min_price="): they read as not given.


def _blank_as(default):
    def validate(value):
        return default if value == "" else value

    return BeforeValidator(validate)


def _without_blanks(values):
    if isinstance(values, list):
        values = [value for value in values if value != ""]
    return values or None


def _integer(value):
    if isinstance(value, str):
        value = value.strip()
        if not ASCII_INTEGER.fullmatch(value) or len(value) > 10:
            raise ValueError("must be a whole number written with the digits 0-9")
        return int(value)
    return value


def _price(value):
    if value == "":
        return None
    if isinstance(value, str):
        value = value.strip()
        if not ASCII_DECIMAL.fullmatch(value) or len(value) > 12:
            raise ValueError("must be a price written with the digits 0-9 and a point, e.g. 49.90")
        value = Decimal(value)
    if value < 0:
        raise ValueError("must be a price of zero or more")
    return value


def _flag(value):
    if value == "":
        return None
    if isinstance(value, str):
        if value.strip().lower() not in FLAGS:
            raise ValueError("must be true or false")
        return FLAGS[value.strip().lower()]
    return value


def _size(value):
    if isinstance(value, str) and value.strip().upper() in SIZE_LABELS:
        return value.strip().upper()
    raise ValueError(f"must be one of {', '.join(SIZE_LABELS)}")


def _lowered(value):
    return " ".join(value.split()).lower() if isinstance(value, str) else value


def _sorted_unique(values):
    return sorted(set(values)) if values else None


Number = Annotated[int, BeforeValidator(_integer)]
Price = Annotated[Decimal | None, BeforeValidator(_price)]
Flag = Annotated[bool | None, BeforeValidator(_flag)]
SizeLabel = Annotated[str, BeforeValidator(_size)]
Page = Annotated[Number, Field(ge=1, description="Page number, from 1."), _blank_as(1)]
PageSize = Annotated[
    Number,
    Field(
        ge=1,
        description=f"Results per page, 1 to {MAX_PAGE_SIZE}; more is read as {MAX_PAGE_SIZE}.",
    ),
    AfterValidator(lambda size: min(size, MAX_PAGE_SIZE)),
    _blank_as(DEFAULT_PAGE_SIZE),
]
# Case and spacing do not change what a search finds (both searches ignore case).
Search = Annotated[str, BeforeValidator(_lowered), Field(max_length=SEARCH_MAX_LENGTH)]


class ProductQuery(Schema):
    category: str | None = Field(
        None,
        max_length=50,
        description="A category's slug: products in it or in any of its subcategories.",
    )
    coverage_level: Annotated[str, BeforeValidator(_lowered)] | None = Field(
        None,
        max_length=255,
        description="A coverage level: its id, its slug (`full-coverage`) or the first word of "
        "its name (`full`), as the filters endpoint lists them.",
    )
    min_price: Price | None = Field(None, description="Lowest base price, inclusive (`49.90`).")
    max_price: Price | None = Field(None, description="Highest base price, inclusive.")
    size: Annotated[
        list[SizeLabel] | None, BeforeValidator(_without_blanks), AfterValidator(_sorted_unique)
    ] = Field(
        None,
        description="Products with an active variant in this size (XS, S, M, L, XL, XXL); "
        "repeat the parameter for any of several.",
    )
    color: Annotated[
        list[Annotated[str, Field(max_length=100)]] | None,
        BeforeValidator(_without_blanks),
        AfterValidator(_sorted_unique),
    ] = Field(
        None,
        description="Products with an active variant in this colour, as the filters endpoint "
        "lists it; repeat the parameter for any of several.",
    )
    featured: Flag | None = Field(
        None, description="`true`: featured products only; `false`: the others."
    )
    in_stock: Flag | None = Field(
        None,
        description="`true`: products with an active variant in stock; `false`: sold out ones.",
    )
    search: Search | None = Field(
        None, description="Words to find in the name and description (stemmed: dresses, dress)."
    )
    ordering: Annotated[
        Literal["price", "-price", "date_added", "-date_added"], _blank_as("-date_added")
    ] = Field("-date_added", description="Sort order; newest first by default.")
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class OutfitQuery(Schema):
    search: Search | None = Field(
        None, description="Text to find in the outfit's name or description."
    )
    ordering: Annotated[Literal["created_at", "-created_at"], _blank_as("-created_at")] = Field(
        "-created_at", description="Sort order; newest first by default."
    )
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


ProductId = Annotated[Number, Field(ge=1, le=2_147_483_647, description="The product's id.")]
OutfitId = Annotated[Number, Field(ge=1, le=2_147_483_647, description="The outfit's id.")]
SlugParam = Annotated[
    str, Field(max_length=50, pattern=r"^[-a-zA-Z0-9_]+$", description="The product's slug.")
]
