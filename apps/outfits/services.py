"""The storefront's rules for outfits, for every entry point (admin form, public/private
actions, and any future import or API)."""

from django.db import transaction

from apps.access.policy import require
from apps.catalog.models import ProductVariant

MIN_ITEMS, MAX_ITEMS = 2, 10


def outfit_problems(products) -> list[str]:
    """Why these products cannot make a public outfit: 2 to 10 distinct products, each with
    an active variant. An empty list means they can."""
    problems = []
    if not MIN_ITEMS <= len(products) <= MAX_ITEMS:
        problems.append(
            f"An outfit has {MIN_ITEMS} to {MAX_ITEMS} products; this one has {len(products)}."
        )
    if len({p.pk for p in products}) != len(products):
        problems.append("A product appears twice in this outfit.")
    active = set(
        ProductVariant.objects.filter(product__in=products, is_active=True).values_list(
            "product_id", flat=True
        )
    )
    inactive = [p.name for p in products if p.pk not in active]
    if inactive:
        problems.append(
            "These products have no active variant, so the shop cannot sell them: "
            + ", ".join(inactive)
            + "."
        )
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
