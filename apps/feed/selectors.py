"""Querysets of what a shopper may see, shaped for the feed with a fixed number of queries."""

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from apps.catalog.models import Product, ProductImage, ProductVariant
from apps.catalog.selectors import hidden_ancestor, visible_categories
from apps.outfits.models import Outfit, OutfitItem


def visible_products() -> QuerySet:
    """A product is visible when its category and every ancestor of it are active."""
    return Product.objects.exclude(hidden_ancestor("category__"))


def product_cards(queryset: QuerySet) -> QuerySet:
    """Products with what a card shows: two prefetches, whatever the number of products."""
    return queryset.select_related("category", "coverage_level").prefetch_related(
        Prefetch(
            "images",
            queryset=ProductImage.objects.order_by("-is_feature", "position", "pk"),
            to_attr="feed_images",
        ),
        Prefetch(
            "variants",
            queryset=ProductVariant.objects.filter(is_active=True).order_by("size", "color", "pk"),
            to_attr="feed_variants",
        ),
    )


def _visible_items():
    return OutfitItem.objects.exclude(hidden_ancestor("product__category__"))


def public_outfits() -> QuerySet:
    """Public outfits with item count, total price and the first three thumbnails."""
    items = _visible_items().filter(outfit=OuterRef("pk")).order_by().values("outfit")
    feature_thumb = Subquery(
        ProductImage.objects.filter(product=OuterRef("product"))
        .order_by("-is_feature", "position", "pk")
        .values("thumbnail")[:1]
    )
    return (
        Outfit.objects.filter(is_public=True)
        .select_related("user")
        .annotate(
            feed_items_count=Coalesce(
                Subquery(items.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                0,
            ),
            feed_total_price=Coalesce(
                Subquery(
                    items.annotate(total=Sum("product__base_price")).values("total"),
                    output_field=DecimalField(max_digits=12, decimal_places=2),
                ),
                0,
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .prefetch_related(
            Prefetch(
                "items",
                queryset=_visible_items()
                .order_by("position", "pk")
                .annotate(feed_thumbnail=feature_thumb),
                to_attr="feed_items",
            )
        )
    )


def outfit_detail(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch(
            "items",
            queryset=product_items(),
            to_attr="feed_full_items",
        )
    )


def product_items() -> QuerySet:
    return (
        _visible_items()
        .order_by("position", "pk")
        .select_related("product__category", "product__coverage_level")
        .prefetch_related(
            Prefetch(
                "product__images",
                queryset=ProductImage.objects.order_by("-is_feature", "position", "pk"),
                to_attr="feed_images",
            ),
            Prefetch(
                "product__variants",
                queryset=ProductVariant.objects.filter(is_active=True).order_by(
                    "size", "color", "pk"
                ),
                to_attr="feed_variants",
            ),
        )
    )


def search_outfits(queryset: QuerySet, text: str) -> QuerySet:
    return queryset.filter(Q(name__icontains=text) | Q(description__icontains=text))


def categories_with_products(products: QuerySet) -> QuerySet:
    """Visible categories with at least one visible product in their subtree."""
    in_subtree = products.filter(
        category__tree_id=OuterRef("tree_id"),
        category__lft__gte=OuterRef("lft"),
        category__lft__lte=OuterRef("rght"),
    )
    return visible_categories().filter(Exists(in_subtree))
