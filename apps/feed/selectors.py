"""Querysets of what a shopper may see, shaped for the feed with a fixed number of queries."""

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from apps.catalog.models import ProductImage, ProductVariant
from apps.feed.visibility import visible_categories, visible_items, visible_outfits


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


def public_outfits() -> QuerySet:
    """Shown outfits with item count, total price and the first three thumbnails."""
    feature_thumb = Subquery(
        ProductImage.objects.filter(product=OuterRef("product"))
        .order_by("-is_feature", "position", "pk")
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
        visible_items()
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
