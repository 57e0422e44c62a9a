"""The feed's reads: plain rows, a fixed number of queries whatever the page size.

Pages are built from ``values()`` rows rather than model instances: a 100-product page holds
about 1,200 rows (products, variants, images), and building model instances for them was half
the CPU of an uncached page. What is shown comes from apps/feed/visibility.py.
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from apps.catalog.models import ProductImage, ProductVariant
from apps.feed.visibility import visible_categories, visible_items, visible_outfits

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


def product_rows(queryset: QuerySet, *, detail: bool = False) -> list[dict]:
    return list(queryset.values(*(DETAIL_FIELDS if detail else PRODUCT_FIELDS)))


def images_of(product_ids) -> dict[int, list[tuple]]:
    """Product id -> [(id, image, thumbnail, is_feature)], feature image first."""
    images = defaultdict(list)
    rows = (
        ProductImage.objects.filter(product_id__in=product_ids)
        .order_by("product_id", *IMAGE_ORDER)
        .values_list("product_id", "id", "image", "thumbnail", "is_feature")
    )
    for product_id, *image in rows:
        images[product_id].append(image)
    return images


def active_variants_of(product_ids) -> dict[int, list[tuple]]:
    """Product id -> [(id, sku, size, color, stock_available)] of its active variants."""
    variants = defaultdict(list)
    rows = (
        ProductVariant.objects.filter(product_id__in=product_ids, is_active=True)
        .order_by("product_id", "size", "color", "pk")
        .values_list("product_id", "id", "sku", "size", "color", "stock_available")
    )
    for product_id, *variant in rows:
        variants[product_id].append(variant)
    return variants


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
