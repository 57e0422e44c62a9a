"""The feed's reads: plain rows, a fixed number of queries whatever the page size.

Pages are built from ``values()`` rows rather than model instances: a 100-product page holds
about 1,200 rows (products, variants, images), and building model instances for them was half
the CPU of an uncached page. What is shown comes from apps/feed/visibility.py.
"""

import json

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connections, router
from django.db.models import Exists, JSONField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import JSONArray

from apps.catalog.models import ProductImage, ProductVariant
from apps.catalog.selectors import FEATURE_IMAGE_FIRST
from apps.feed.visibility import (
    visible_categories,
    visible_items,
    visible_outfits,
    visible_products,
)

PRODUCT_FIELDS = (
    "id",
    "name",
    "slug",
    "description",
    "base_price",
    "is_featured",
    "date_added",
    "category_id",
    "category__name",
    "category__slug",
    "coverage_level_id",
    "coverage_level__name",
    "coverage_level__description",
)
DETAIL_FIELDS = (
    *PRODUCT_FIELDS,
    "category__parent_id",
    "category__parent__name",
    "category__parent__slug",
)
IMAGE_ORDER = FEATURE_IMAGE_FIRST  # the feature image first, as the contract says


def _aggregated(queryset: QuerySet, order: tuple, *fields: str) -> Subquery:
    """Per product row: its rows of ``queryset`` as one JSON array of arrays of ``fields``
    (one value to decode per product, not one per image or variant); NULL when none."""
    rows = (
        queryset.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(rows=JSONBAgg(JSONArray(*fields), order_by=order))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def _images() -> Subquery:
    """[[id, image, thumbnail, is_feature], …], the feature image first."""
    return _aggregated(
        ProductImage.objects.all(), IMAGE_ORDER, "id", "image", "thumbnail", "is_feature"
    )


def _variants() -> Subquery:
    """[[id, sku, size, color, stock_available], …] of the active variants."""
    return _aggregated(
        ProductVariant.objects.filter(is_active=True),
        ("size", "color", "pk"),
        "id",
        "sku",
        "size",
        "color",
        "stock_available",
    )


def _with_lists(row: dict) -> dict:
    # The raw path (CompiledRows) reads json as text, as Django's JSONField expects to.
    for name in ("feed_images", "feed_variants"):
        value = row[name]
        row[name] = (json.loads(value) if isinstance(value, str) else value) or []
    return row


def product_rows(queryset: QuerySet, *, detail: bool = False) -> list[dict]:
    """The products as rows, each with its images and active variants: one query."""
    fields = DETAIL_FIELDS if detail else PRODUCT_FIELDS
    rows = queryset.values(*fields, feed_images=_images(), feed_variants=_variants())
    return [_with_lists(row) for row in rows]


class CompiledRows:
    """A query compiled to SQL once per process and run again with new values.

    Building and compiling the visibility rule's subqueries cost about three quarters of an
    uncached product page; the SQL never changes, only the looked-up value and the page do.
    ``build(marker)`` returns the queryset, ``marker`` standing for the value looked up (None:
    no value); ``paged`` appends LIMIT and OFFSET parameters.
    """

    def __init__(self, build, marker=None, *, paged: bool = False):
        self.build, self.marker, self.paged = build, marker, paged
        self.compiled = None

    def rows(self, value=None, *, limit: int | None = None, offset: int = 0) -> list[dict]:
        if self.compiled is None:
            queryset = self.build(self.marker)
            sql, params = queryset.query.sql_with_params()
            index = None if self.marker is None else list(params).index(self.marker)
            sql += " LIMIT %s OFFSET %s" if self.paged else ""
            self.compiled = (sql, list(params), index, queryset.db)
        sql, params, index, alias = self.compiled
        if index is not None:
            params = [*params[:index], value, *params[index + 1 :]]
        if self.paged:
            params = [*params, limit, offset]
        with connections[router.db_for_read(ProductImage) or alias].cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            return [_with_lists(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _detail(**lookup):
    return (
        visible_products()
        .filter(**lookup)
        .values(*DETAIL_FIELDS, feed_images=_images(), feed_variants=_variants())
    )


product_by_id = CompiledRows(lambda pk: _detail(pk=pk), marker=-1_999_999_999)
product_by_slug = CompiledRows(lambda slug: _detail(slug=slug), marker="feed-compiled-marker-slug")
_unfiltered_pages: dict[tuple, CompiledRows] = {}


def unfiltered_page(order: tuple, limit: int, offset: int) -> list[dict]:
    """A page of every shown product in ``order``: the list the storefront asks for most."""
    if order not in _unfiltered_pages:
        _unfiltered_pages[order] = CompiledRows(
            lambda _: (
                visible_products()
                .order_by(*order)
                .values(*PRODUCT_FIELDS, feed_images=_images(), feed_variants=_variants())
            ),
            paged=True,
        )
    return _unfiltered_pages[order].rows(limit=limit, offset=offset)


def with_variant(sizes=None, colors=None) -> Q:
    """Products with an active variant in one of ``sizes`` and one of ``colors``."""
    wanted = {"product": OuterRef("pk"), "is_active": True}
    if sizes:
        wanted["size__in"] = sizes
    if colors:
        wanted["color__in"] = colors
    return Q(Exists(ProductVariant.objects.filter(**wanted)))


def public_outfits() -> QuerySet:
    """Shown outfits with item count, total price and the thumbnails of their shown items."""
    feature_thumb = Subquery(
        ProductImage.objects.filter(product=OuterRef("product"))
        .order_by(*IMAGE_ORDER)
        .values("thumbnail")[:1]
    )
    return (
        visible_outfits()
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=visible_items()
                .order_by("position", "pk")
                .annotate(feed_thumbnail=feature_thumb),
                to_attr="feed_items",
            )
        )
    )


def search_outfits(queryset: QuerySet, text: str) -> QuerySet:
    return queryset.filter(Q(name__icontains=text) | Q(description__icontains=text))


def categories_with_products(products: QuerySet) -> QuerySet:
    """Shown categories with at least one shown product in their subtree."""
    in_subtree = products.filter(
        category__tree_id=OuterRef("tree_id"),
        category__lft__gte=OuterRef("lft"),
        category__lft__lte=OuterRef("rght"),
    )
    return visible_categories().filter(Exists(in_subtree))
