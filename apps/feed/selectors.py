"""The feed's reads: plain rows, a fixed number of queries whatever the page size.

Pages are built from ``values()`` rows rather than model instances: a 100-product page holds
about 1,200 rows (products, variants, images), and building model instances for them was half
the CPU of an uncached page. What is shown comes from apps/feed/visibility.py.
"""

import json

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import JSONArray

from apps.catalog.models import ProductImage, ProductVariant
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
IMAGE_ORDER = ("-is_feature", "position", "pk")  # the feature image first, as the contract says


def _images() -> ArraySubquery:
    """Per product row: [[id, image, thumbnail, is_feature], …], feature image first."""
    images = ProductImage.objects.filter(product=OuterRef("pk")).order_by(*IMAGE_ORDER)
    return ArraySubquery(images.values(row=JSONArray("id", "image", "thumbnail", "is_feature")))


def _variants() -> ArraySubquery:
    """Per product row: [[id, sku, size, color, stock_available], …] of its active variants."""
    variants = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True).order_by(
        "size", "color", "pk"
    )
    return ArraySubquery(
        variants.values(row=JSONArray("id", "sku", "size", "color", "stock_available"))
    )


def _with_lists(row: dict) -> dict:
    # Django reads json as text (its JSONField decodes it): decode the two arrays here.
    for name in ("feed_images", "feed_variants"):
        row[name] = [json.loads(item) if isinstance(item, str) else item for item in row[name]]
    return row


def product_rows(queryset: QuerySet, *, detail: bool = False) -> list[dict]:
    """The products as rows, each with its images and active variants: one query."""
    fields = DETAIL_FIELDS if detail else PRODUCT_FIELDS
    rows = queryset.values(*fields, feed_images=_images(), feed_variants=_variants())
    return [_with_lists(row) for row in rows]


class CompiledRows:
    """A query compiled to SQL once per process and run again with a new value.

    Building and compiling the visibility rule's subqueries cost about three quarters of an
    uncached product page; the SQL itself never changes, only the looked-up value does.
    ``build(value)`` returns the queryset for ``value``; a marker value finds its parameter.
    """

    def __init__(self, build, marker):
        self.build, self.marker = build, marker
        self.compiled = None

    def rows(self, value) -> list[dict]:
        if self.compiled is None:
            queryset = self.build(self.marker)
            sql, params = queryset.query.sql_with_params()
            self.compiled = (sql, list(params), list(params).index(self.marker), queryset.db)
        sql, params, index, alias = self.compiled
        params = [*params[:index], value, *params[index + 1 :]]
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
