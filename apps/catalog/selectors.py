"""Reads with a shape: catalog queries shared by the admin, the feed and the benchmarks."""

import re

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from apps.catalog.models import (
    SEARCH_CONFIG,
    Category,
    Product,
    ProductImage,
    ProductVariant,
    product_search_vector,
)
from apps.feed.visibility import hidden_ancestor, with_product_state
from apps.toolkit.search import search_text

# Longer search strings add nothing a customer or a merchandiser means, and cost planning time.


def product_search(queryset: QuerySet, text: str) -> QuerySet:
    """Products whose name or description match ``text`` (stemmed, every word required).

    The filter repeats the GIN index's expression exactly, so PostgreSQL answers it from
    ``product_fulltext_idx`` instead of scanning the table.
    """
    text = search_text(text)
    if not text:
        return queryset
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="plain")
    # Words anywhere in name or description (stemmed, full-text index), or part of the name
    # or of a variant's SKU in any case ("abay", "maxi-008"; trigram indexes). The ids each
    # way finds through its own index, united, then the products by primary key: an OR of
    # the conditions themselves would make PostgreSQL compute every product's text vector.
    products = Product.objects.order_by()
    by_words = products.annotate(search=product_search_vector()).filter(search=query)
    by_name = products.filter(name__icontains=text)
    by_sku = ProductVariant.objects.order_by().filter(sku__icontains=text)
    found = by_words.values("pk").union(by_name.values("pk"), by_sku.values("product_id"))
    return queryset.filter(pk__in=found)


def variant_search(queryset: QuerySet, text: str) -> QuerySet:
    """Variants whose SKU or product name holds ``text``, in any case (trigram indexes)."""
    text = search_text(text)
    if not text:
        return queryset
    # As product_search: each way through its own index, united, then the rows by id.
    variants = ProductVariant.objects.order_by()
    by_sku = variants.filter(sku__icontains=text)
    by_product = variants.filter(
        product_id__in=Product.objects.order_by().filter(name__icontains=text).values("pk")
    )
    return queryset.filter(pk__in=by_sku.values("pk").union(by_product.values("pk")))


def subtree_filter(category: Category, prefix: str = "category__") -> Q:
    """A filter for rows whose category is ``category`` or one of its descendants."""
    return Q(
        **{
            f"{prefix}tree_id": category.tree_id,
            f"{prefix}lft__gte": category.lft,
            f"{prefix}lft__lte": category.rght,
        }
    )


def subtree_product_totals(**counts: Q) -> dict[int, dict[str, int]]:
    """Category id -> for each named filter, the number of products matching it in the
    category and all its descendants: one grouped query and one read of the tree.

    ``subtree_product_totals(all=Q(), shown=product_shown())`` -> {3: {"all": 15, "shown": 12}}
    """
    rows = (
        Product.objects.order_by()
        .values("category_id")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in counts.items()})
    )
    direct = {row.pop("category_id"): row for row in rows}
    none = dict.fromkeys(counts, 0)
    totals: dict[int, dict[str, int]] = {}
    # Walking the tree in (tree_id, lft) order, the stack holds the node's open ancestors.
    stack: list[tuple[int, int, int]] = []  # (pk, tree_id, rght)
    nodes = Category.objects.order_by("tree_id", "lft").values_list("pk", "tree_id", "lft", "rght")
    for pk, tree_id, lft, rght in nodes:
        while stack and (stack[-1][1] != tree_id or stack[-1][2] < lft):
            stack.pop()
        own = direct.get(pk, none)
        totals[pk] = dict(own)
        for ancestor, _, _ in stack:
            for name, number in own.items():
                totals[ancestor][name] += number
        stack.append((pk, tree_id, rght))
    return totals


def category_path(prefix: str = "category__") -> Subquery:
    """Per row: the path of the category reached through ``prefix`` ("category__" for a
    product, "" for a category): 'Clothing › Dresses › Evening Dresses', in the same query."""
    ancestors = (
        Category.objects.filter(
            tree_id=OuterRef(f"{prefix}tree_id"),
            lft__lte=OuterRef(f"{prefix}lft"),
            rght__gte=OuterRef(f"{prefix}rght"),
        )
        .order_by()
        .values("tree_id")
        .annotate(path=StringAgg("name", " › ", order_by="lft"))
        .values("path")
    )
    return Subquery(ancestors, output_field=CharField())


def category_choices(text: str = "") -> QuerySet:
    """Categories for a picker, in tree order, each with its ``path`` and whether the tree
    ``hidden`` it from the storefront; ``text`` narrows them to paths holding each of its
    words, any case."""
    categories = Category.objects.annotate(
        path=category_path(prefix=""), hidden=hidden_ancestor()
    ).order_by("tree_id", "lft")
    # Every word somewhere in the path, whatever separates them: "clothing abayas",
    # "clothing > abayas" and "Clothing › Abayas" find the same categories.
    for word in re.split(r"[\s›>/]+", search_text(text))[:5]:
        if word:
            categories = categories.filter(path__icontains=word)
    return categories


def active_stock() -> Subquery:
    """Per product row: the stock of its active variants."""
    stock = (
        ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
        .order_by()
        .values("product")
        .annotate(total=Sum("stock_available"))
        .values("total")
    )
    return Coalesce(Subquery(stock, output_field=IntegerField()), 0)


def variant_count() -> Subquery:
    variants = (
        ProductVariant.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(variants, output_field=IntegerField()), 0)


# A product's images as the storefront lists them: the feature image, then as dragged.
FEATURE_IMAGE_FIRST = ("-is_feature", "position", "pk")


def feature_thumbnail() -> Subquery:
    images = ProductImage.objects.filter(product=OuterRef("pk")).order_by(*FEATURE_IMAGE_FIRST)
    return Subquery(images.values("thumbnail")[:1], output_field=CharField())


def stock_status(total: int) -> str:
    if total <= 0:
        return "out"
    return "low" if total <= settings.LOW_STOCK_THRESHOLD else "in"


def stock_by_coverage() -> list[tuple[str, int]]:
    """Units in stock per coverage level (active variants); one grouped query."""
    rows = (
        ProductVariant.objects.filter(is_active=True)
        .order_by()
        .values_list("coverage__name")
        .annotate(units=Sum("stock_available"))
    )
    return sorted(((name or "No coverage level", units or 0) for name, units in rows))


def stock_level(level: str, field: str = "stock_available") -> Q:
    """Stock "in" (more than LOW_STOCK_THRESHOLD), "low" (1 to the threshold) or "out" (0):
    the one definition the stock filters, the product list and the dashboard use."""
    threshold = settings.LOW_STOCK_THRESHOLD
    return {
        "in": Q(**{f"{field}__gt": threshold}),
        "low": Q(**{f"{field}__gte": 1, f"{field}__lte": threshold}),
        "out": Q(**{field: 0}),
    }[level]


def variants_at_stock_level(level: str, limit: int = 10):
    """Active variants at ``level`` ("low", "out"), lowest first (partial index)."""
    return list(
        ProductVariant.objects.filter(stock_level(level), is_active=True)
        .select_related("product")
        .order_by("stock_available", "pk")[:limit]
    )


def featured_needing_attention(limit: int = 10):
    """Featured products the storefront hides, or shows sold out or without a picture."""
    return list(
        with_product_state(Product.objects.filter(is_featured=True))
        .filter(Q(shown=False) | Q(sold_out=True) | Q(no_image=True))
        .order_by("name")[:limit]
    )
