"""What the storefront shows, and why it does not: the one definition.

The feed, catalog health, outfit moderation and publishing, the dashboard and the category
tree all ask here, so a shopper sees exactly what catalog health says they see.

- A **category** is shown when it and every ancestor are active.
- A **product** is shown when its category is shown and it has at least one active variant.
  Sold out, no picture or no coverage level are warnings, not reasons to hide.
- A **variant** is shown when it is active and its product is shown.
- An **outfit** is shown when it is public and has 2 to 10 shown products; its item count and
  total price count only those.
"""

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from apps.catalog.models import Category, Product, ProductImage, ProductVariant
from apps.outfits.models import Outfit, OutfitItem

MIN_OUTFIT_PRODUCTS, MAX_OUTFIT_PRODUCTS = 2, 10

# Why a product is not shown; the keys are the annotations ``with_product_state`` adds.
HIDING_REASONS = {
    "hidden_category": "its category or a parent category is hidden",
    "no_active_variant": "no active variant",
}
# Shown, but worth a merchandiser's look.
WARNINGS = {
    "sold_out": "shown as sold out",
    "no_image": "shown without a picture",
    "no_coverage": "shown without a coverage level",
}

MONEY = DecimalField(max_digits=12, decimal_places=2)


# Categories ------------------------------------------------------------------------------


def hidden_ancestor(prefix: str = "") -> Exists:
    """True when the category reached through ``prefix`` ("" for a category row,
    "category__" for a product, …) or any of its ancestors is inactive."""
    return Exists(
        Category.objects.filter(
            is_active=False,
            tree_id=OuterRef(f"{prefix}tree_id"),
            lft__lte=OuterRef(f"{prefix}lft"),
            rght__gte=OuterRef(f"{prefix}rght"),
        )
    )


def visible_categories() -> QuerySet:
    return Category.objects.exclude(hidden_ancestor())


# Products and variants -------------------------------------------------------------------


def _active_variant(product_ref: str = "pk", **extra) -> Exists:
    return Exists(
        ProductVariant.objects.filter(product=OuterRef(product_ref), is_active=True, **extra)
    )


def product_shown(prefix: str = "") -> Q:
    """The rule as a filter for rows reaching a product through ``prefix`` ("" for a
    product row, "product__" for a variant or an outfit item)."""
    product_ref = prefix.removesuffix("__") or "pk"
    return Q(_active_variant(product_ref)) & ~Q(hidden_ancestor(f"{prefix}category__"))


def visible_products() -> QuerySet:
    return Product.objects.filter(product_shown())


def in_stock() -> Exists:
    """Per product row: an active variant with stock (else a shown product is sold out)."""
    return _active_variant(stock_available__gt=0)


def with_product_state(queryset: QuerySet) -> QuerySet:
    """Products annotated with ``shown``, each hiding reason and each warning."""
    return queryset.annotate(
        hidden_category=hidden_ancestor("category__"),
        no_active_variant=~_active_variant(),
        sold_out=~in_stock(),
        no_image=~Exists(ProductImage.objects.filter(product=OuterRef("pk"))),
        no_coverage=ExpressionWrapper(Q(coverage_level__isnull=True), output_field=BooleanField()),
        shown=ExpressionWrapper(product_shown(), output_field=BooleanField()),
    )


def product_problems(product) -> tuple[list[str], list[str]]:
    """(why it is hidden, what to look at) for a product from ``with_product_state``."""
    hiding = [text for key, text in HIDING_REASONS.items() if getattr(product, key)]
    warnings = [
        text
        for key, text in WARNINGS.items()
        # Sold out means nothing for a product with no active variant at all.
        if getattr(product, key) and not (key == "sold_out" and product.no_active_variant)
    ]
    return hiding, warnings


def visible_variants() -> QuerySet:
    return ProductVariant.objects.filter(is_active=True).filter(
        ~Q(hidden_ancestor("product__category__"))
    )


# Outfits ---------------------------------------------------------------------------------


def visible_items() -> QuerySet:
    return OutfitItem.objects.filter(product_shown("product__"))


def _item_figure(aggregate, output_field):
    items = visible_items().filter(outfit=OuterRef("pk")).order_by().values("outfit")
    return Coalesce(
        Subquery(items.annotate(figure=aggregate).values("figure"), output_field=output_field),
        0,
        output_field=output_field,
    )


def with_outfit_state(queryset: QuerySet) -> QuerySet:
    """Outfits annotated with ``shown_items`` and ``shown_total`` (from the items the
    storefront shows), ``hidden_items`` and ``shown``."""
    all_items = OutfitItem.objects.filter(outfit=OuterRef("pk")).order_by().values("outfit")
    return queryset.annotate(
        shown_items=_item_figure(Count("pk"), IntegerField()),
        shown_total=_item_figure(Sum("product__base_price"), MONEY),
        all_items=Coalesce(
            Subquery(all_items.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            0,
        ),
    ).annotate(
        shown=ExpressionWrapper(
            Q(is_public=True)
            & Q(shown_items__gte=MIN_OUTFIT_PRODUCTS)
            & Q(shown_items__lte=MAX_OUTFIT_PRODUCTS),
            output_field=BooleanField(),
        )
    )


def outfit_storefront_problems(outfit) -> list[str]:
    """Why an outfit from ``with_outfit_state`` is not shown, or what it hides."""
    problems = []
    if not outfit.is_public:
        problems.append("private")
    if outfit.shown_items < MIN_OUTFIT_PRODUCTS:
        problems.append(
            f"only {outfit.shown_items} of its products are shown "
            f"(an outfit needs {MIN_OUTFIT_PRODUCTS})"
        )
    elif outfit.shown_items > MAX_OUTFIT_PRODUCTS:
        problems.append(f"more than {MAX_OUTFIT_PRODUCTS} products")
    hidden = outfit.all_items - outfit.shown_items
    if hidden and outfit.shown_items >= MIN_OUTFIT_PRODUCTS:
        problems.append(f"{hidden} of its products not shown")
    return problems


def visible_outfits() -> QuerySet:
    return with_outfit_state(Outfit.objects.filter(is_public=True)).filter(shown=True)
