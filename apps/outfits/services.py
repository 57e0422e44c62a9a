"""The storefront's rules for outfits, for every entry point (admin form, public/private
actions, and any future import or API)."""

from django.db import transaction

from apps.access.policy import require
from apps.catalog.models import Product
from apps.feed.visibility import (
    MAX_OUTFIT_PRODUCTS,
    MIN_OUTFIT_PRODUCTS,
    product_problems,
    with_product_state,
)


def outfit_problems(products, *, public: bool = True) -> list[str]:
    """Why these products cannot make an outfit: 2 to 10 distinct products, and for a public
    one, each shown by the storefront. An empty list means they can."""
    problems = []
    if not MIN_OUTFIT_PRODUCTS <= len(products) <= MAX_OUTFIT_PRODUCTS:
        problems.append(
            f"An outfit has {MIN_OUTFIT_PRODUCTS} to {MAX_OUTFIT_PRODUCTS} products; "
            f"this one has {len(products)}."
        )
    if len({p.pk for p in products}) != len(products):
        problems.append("A product appears twice in this outfit.")
    if not public:
        return problems
    states = with_product_state(Product.objects.filter(pk__in=[p.pk for p in products]))
    hidden = [
        f"{state.name} ({'; '.join(product_problems(state)[0])})"
        for state in states
        if not state.shown
    ]
    if hidden:
        problems.append("The storefront does not show these products: " + ", ".join(hidden) + ".")
    return problems


@transaction.atomic
def outfit_set_public(*, outfits, public: bool, actor) -> tuple[int, list[str]]:
    """Publish or withdraw outfits; an outfit that breaks the rules stays private.

    Returns the number changed and, per refused outfit, why."""
    require(actor, "outfits.change_outfit", "publish or withdraw outfits")
    changed, refused = 0, []
    for outfit in outfits.prefetch_related("items__product"):
        if outfit.is_public == public:
            continue
        if public:
            problems = outfit_problems([item.product for item in outfit.items.all()])
            if problems:
                refused.append(f"“{outfit.name}”: {' '.join(problems)}")
                continue
        outfit.is_public = public
        outfit._history_user = actor
        outfit._change_reason = "Made public" if public else "Made private"
        outfit.save(update_fields=["is_public", "updated_at"])
        changed += 1
    return changed, refused
