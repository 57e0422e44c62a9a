"""Every catalog write that has rules: stock changes, category moves, image thumbnails.

The admin, the imports and the order lifecycle all call these, so stock can never go below
zero and every change is recorded with who made it and why.
"""

from collections.abc import Mapping

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from mptt.exceptions import InvalidMove

from apps.access.policy import describe, require
from apps.catalog.generator import VariantPlanError, plan_problems, variant_plan
from apps.catalog.models import Category, Product, ProductVariant
from apps.toolkit.confirmations import Seen, digest
from apps.toolkit.guarded import guarded_write
from apps.toolkit.history import last_change
from apps.toolkit.numbers import PG_INT_MAX


class StockError(ValueError):
    """A stock change the rules refuse; the message is meant for the member of staff."""


class StockConflict(StockError):
    """The stock moved between the page a person saw and their save."""


class StockReason(models.TextChoices):
    RECEIVED = "received", "Received"
    COUNT_CORRECTION = "count_correction", "Count correction"
    DAMAGED = "damaged", "Damaged"
    ORDER_PLACED = "order_placed", "Order placed"
    ORDER_CANCELLED = "order_cancelled", "Order cancelled"
    IMPORT = "import", "Import"
    EDIT = "edit", "Edited in the admin"


def _reason_text(reason: StockReason, note: str) -> str:
    note = " ".join(note.split())
    return f"{reason.label}: {note}" if note else reason.label


def _lock_variants(variant_ids) -> dict[int, ProductVariant]:
    # A fixed lock order (by id) keeps concurrent adjustments of several variants deadlock-free.
    locked = ProductVariant.objects.select_for_update(of=("self",)).filter(pk__in=variant_ids)
    return {variant.pk: variant for variant in locked.order_by("pk")}


ORDER_REASONS = frozenset({StockReason.ORDER_PLACED, StockReason.ORDER_CANCELLED})


def stock_apply(
    *,
    deltas: Mapping[int, int] | None = None,
    levels: Mapping[int, int] | None = None,
    reason: StockReason,
    note: str = "",
    actor,
) -> list[ProductVariant]:
    """Add ``deltas`` to, or set ``levels`` of, the given variants' stock, all or nothing.

    Raises :class:`StockError` naming every SKU that would go below zero or does not exist;
    then nothing is written. Writes are bulk: two statements whatever the number of
    variants, history included. ``actor`` needs ``catalog.change_stock``.
    """
    require(actor, "catalog.change_stock", "change stock levels")
    if reason in ORDER_REASONS:
        raise StockError("Order stock moves go through the order service.")
    return _write_stock(deltas=deltas, levels=levels, reason=reason, note=note, actor=actor)


def stock_move_for_order(
    *,
    deltas: Mapping[int, int],
    reason: StockReason,
    order_id: int,
    actor,
    locked: Mapping[int, ProductVariant] | None = None,
) -> list[ProductVariant]:
    """Stock taken by an order or given back by its cancellation.

    Only the order service calls this, after checking that ``actor`` may place or change
    the order: a support agent cancelling an order may restock it without the warehouse's
    permission. Callers that hold the row locks already (placement) pass them as ``locked``.
    """
    if reason not in ORDER_REASONS:
        raise StockError(f"{reason} is not an order's stock move.")
    return _write_stock(
        deltas=deltas, reason=reason, note=_order_note(order_id), actor=actor, locked=locked
    )


def _order_note(order_id: int) -> str:
    return f"order #{order_id}"


def order_stock_reasons(order_id: int) -> dict[str, StockReason]:
    """The history reasons of an order's stock moves, as written above: how the order's
    timeline finds them among the variants' history."""
    return {_reason_text(reason, _order_note(order_id)): reason for reason in ORDER_REASONS}


@transaction.atomic
def _write_stock(*, deltas=None, levels=None, reason, note, actor, locked=None):
    deltas, levels = dict(deltas or {}), dict(levels or {})
    wanted = set(deltas) | set(levels)
    variants = dict(locked) if locked is not None else _lock_variants(wanted)
    problems = [f"variant #{pk} does not exist" for pk in sorted(wanted - set(variants))]
    changed = []
    for pk in sorted(wanted & set(variants)):
        variant = variants[pk]
        new_level = levels[pk] if pk in levels else variant.stock_available + deltas[pk]
        if pk in levels and new_level < 0:
            problems.append(f"{variant.sku}: a stock level cannot be negative ({new_level})")
        elif new_level > PG_INT_MAX:
            problems.append(
                f"{variant.sku}: {new_level:,} is more than a stock level can hold ({PG_INT_MAX:,})"
            )
        elif new_level < 0:
            problems.append(_shortage(variant, new_level))
        elif new_level != variant.stock_available:
            variant.stock_available = new_level
            changed.append(variant)
    if problems:
        raise StockError("; ".join(problems))
    if changed:
        _write_levels(changed)
        ProductVariant.history.bulk_history_create(
            changed,
            update=True,
            default_user=actor,
            default_change_reason=_reason_text(reason, note),
        )
    return changed


def _write_levels(variants: list[ProductVariant]) -> None:
    # One UPDATE ... FROM unnest(): Django's bulk_update builds a CASE per row, which costs
    # more in Python than the database spends on the whole statement.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_productvariant AS v SET stock_available = d.level "
            "FROM unnest(%s::integer[], %s::integer[]) AS d(id, level) WHERE v.id = d.id",
            [[v.pk for v in variants], [v.stock_available for v in variants]],
        )


def _shortage(variant: ProductVariant, new_level: int) -> str:
    removed = variant.stock_available - new_level
    return (
        f"{variant.sku}: only {variant.stock_available} in stock, cannot remove {removed}"
        f" (stock never goes below zero)"
    )


def stock_adjust(
    *,
    variant: ProductVariant,
    quantity: int,
    reason: StockReason,
    note: str = "",
    actor,
    seen: int | None = None,
) -> ProductVariant:
    """Apply one warehouse adjustment: received adds, damaged removes, a count sets the level.

    A count is taken over the level the page showed (``seen``): if that moved meanwhile, the
    count is refused (:class:`StockConflict`), as in the list (:func:`stock_count`)."""
    if quantity < 0:
        raise StockError("Enter a quantity of zero or more; the reason says which way it goes.")
    if reason == StockReason.COUNT_CORRECTION and seen is not None:
        stock_count(variant_id=variant.pk, level=quantity, seen=seen, actor=actor, note=note)
    elif reason == StockReason.COUNT_CORRECTION:
        stock_apply(levels={variant.pk: quantity}, reason=reason, note=note, actor=actor)
    else:
        sign = -1 if reason == StockReason.DAMAGED else 1
        stock_apply(deltas={variant.pk: sign * quantity}, reason=reason, note=note, actor=actor)
    variant.refresh_from_db(fields=["stock_available"])
    return variant


@transaction.atomic
def stock_count(*, variant_id: int, level: int, seen: int, actor, note: str = "") -> None:
    """Set a counted stock level that a person typed over the level ``seen`` on their page.

    Under the row lock the level must still be ``seen``: if a receipt or an order moved it
    meanwhile, nothing is written and :class:`StockConflict` says what happened, so the person
    counts again instead of silently undoing somebody else's change.
    """
    require(actor, "catalog.change_stock", "change stock levels")
    variant = _lock_variants([variant_id]).get(variant_id)
    if variant is None:
        raise StockError(f"variant #{variant_id} does not exist")
    if variant.stock_available != seen:
        raise StockConflict(stock_conflict_message(variant, seen))
    _write_stock(
        levels={variant_id: level}, reason=StockReason.COUNT_CORRECTION, note=note, actor=actor
    )


def stock_conflict_message(variant: ProductVariant, seen: int) -> str:
    """What moved the stock since ``seen``, in the words of the page: "ABY-M-BLK went from
    73 to 83 while you were editing (Received: DN-9 by warehouse@… at 10:42): enter the
    count again."""
    return (
        f"{variant.sku} went from {seen} to {variant.stock_available} while you were "
        f"editing{last_change(variant)}: enter the count again."
    )


class CategoryMoveError(ValueError):
    pass


# What a page about the tree shows of each category: its place, and whether it is shown.
TREE_STATE = ("pk", "parent_id", "tree_id", "lft", "is_active")


def category_tree_state(rows=None) -> str:
    """The tree as a page shows it (a digest: the same when the page is drawn and when it is
    confirmed). ``rows`` are TREE_STATE values, read under the tree's lock by a service."""
    if rows is None:
        rows = Category.objects.values_list(*TREE_STATE)
    return digest(rows)


def lock_category_tree() -> list[tuple]:
    """Lock every category, in id order, and read the tree (TREE_STATE rows). Whatever
    rewrites the tree's columns — a move, a new category, an import's rebuild — does it under
    this lock, one at a time, over the state it read; it holds until the transaction ends."""
    return list(Category.objects.select_for_update().order_by("pk").values_list(*TREE_STATE))


def category_changes_since(since) -> str:
    """ "“Hijabs” was moved as its last child of “Accessories” by merch@… at 14:02; …": the
    tree's history since ``since``."""
    records = (
        Category.history.filter(history_date__gt=since)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    said = []
    for record in records[:5]:
        reason = record.history_change_reason or ""
        if record.history_type == "+":
            what = "was added"
        elif record.history_type == "-":
            what = "was deleted"
        elif reason.startswith("Moved"):
            what = "was m" + reason[1:]
        elif reason.startswith(("Shown", "Hidden")):
            what = "was " + reason.split(" (")[0].lower()
        else:
            what = "was changed"
        who = describe(record.history_user) if record.history_user else "the shop"
        when = timezone.localtime(record.history_date).strftime("%H:%M")
        said.append(f"“{record.name}” {what} by {who} at {when}")
    return "; ".join(said) + "." if said else ""


def product_changes_since(since, category_ids) -> str:
    """ "“Maxi Dress” was featured by admin@… at 14:02; …": what happened since ``since`` to
    the products of these categories (those they hold now)."""
    records = (
        Product.history.filter(history_date__gt=since, category_id__in=list(category_ids))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    said = []
    for record in records[:5]:
        reason = record.history_change_reason or ""
        if record.history_type == "+":
            what = "was added"
        elif reason in ("Featured", "No longer featured"):
            what = "was featured" if reason == "Featured" else "was no longer featured"
        else:
            what = "was changed"
        who = describe(record.history_user) if record.history_user else "the shop"
        when = timezone.localtime(record.history_date).strftime("%H:%M")
        said.append(f"“{record.name}” {what} by {who} at {when}")
    return "; ".join(said) + "." if said else ""


class MovePosition(models.TextChoices):
    FIRST_CHILD = "first-child", "as its first child"
    LAST_CHILD = "last-child", "as its last child"
    LEFT = "left", "before it (same parent)"
    RIGHT = "right", "after it (same parent)"


@transaction.atomic
def category_move(
    *,
    category: Category,
    target: Category | None,
    position: MovePosition,
    actor,
    seen: Seen | None = None,
) -> Category:
    """Move ``category`` (with its subtree) relative to ``target``; ``None`` makes it a root.

    ``seen`` is the tree the page showed (``category_tree_state``): if it changed since,
    nothing moves and StateChanged says what changed, and who changed it."""
    require(actor, "catalog.change_category", "move categories")
    rows = lock_category_tree()
    if seen is not None:
        seen.check(category_tree_state(rows), category_changes_since)
    category = Category.objects.get(pk=category.pk)
    if target is not None:
        target = Category.objects.get(pk=target.pk)
        if target.pk == category.pk or target.is_descendant_of(category):
            raise CategoryMoveError(
                f"“{category}” cannot be moved under or next to itself or its own subcategories."
            )
    # move_to rewrites the tree columns with UPDATEs, then saves the node once: that save
    # writes the history row, with this reason and actor.
    category._change_reason = f"Moved {MovePosition(position).label} of “{target or 'the top'}”"
    category._history_user = actor
    with guarded_write(Category, *Category.guarded_fields):
        try:
            if target is None:
                category.move_to(None, "last-child")
            else:
                category.move_to(target, str(position))
        except InvalidMove as error:
            raise CategoryMoveError(str(error)) from error
    category.refresh_from_db()
    return category


@transaction.atomic
def category_set_active(
    *,
    categories,
    active: bool,
    actor,
    seen: Seen | None = None,
    state=category_tree_state,
    changes=category_changes_since,
) -> int:
    """Show or hide categories. A hidden category hides its whole subtree from the storefront
    (see ``selectors.visible_categories``); the children keep their own flags, so showing the
    category again restores the subtree as it was.

    ``seen`` is what a confirmation showed: ``state(tree rows)`` is its digest now (by default
    the tree, ``category_tree_state``; a page that shows more passes its own), ``changes``
    says what changed since. If it changed, nothing changes and StateChanged says what."""
    require(actor, "catalog.change_category", "show or hide categories")
    rows = lock_category_tree()
    if seen is not None:
        seen.check(state(rows), changes)
    if isinstance(categories, models.QuerySet):  # read again, under the lock
        categories = categories.model.objects.filter(pk__in=categories.values("pk")).order_by("pk")
    changed = 0
    for category in categories:
        if category.is_active != active:
            category.is_active = active
            category._change_reason = "Shown" if active else "Hidden (soft delete)"
            category._history_user = actor
            category.save(update_fields=["is_active"])
            changed += 1
    return changed


@transaction.atomic
def product_set_featured(*, products, featured: bool, actor) -> int:
    require(actor, "catalog.change_product", "feature products")
    changed = 0
    # Read again under row locks: two people (or a double click) featuring the same product
    # at once write it once, and the second is told it already was.
    if isinstance(products, models.QuerySet):  # an action's selection: its ids only
        ids = list(products.order_by().values_list("pk", flat=True))
    else:
        ids = [product.pk for product in products]
    locked = list(Product.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    for product in locked:
        if product.is_featured != featured:
            product.is_featured = featured
            product._change_reason = "Featured" if featured else "No longer featured"
            product._history_user = actor
            product.save(update_fields=["is_featured"])
            changed += 1
    return changed


@transaction.atomic
def variants_generate(
    *, product: Product, sizes, colours: str, pattern: str, actor
) -> list[ProductVariant]:
    """Make the variants ``generator.variant_plan`` proposes for ``product`` (sizes ×
    colours, SKUs from ``pattern``), stock 0, with the product's coverage level.

    All or nothing: when any row has a problem (a SKU taken, twice), nothing is made and
    :class:`~apps.catalog.generator.VariantPlanError` names them. Sizes and colours the
    product has already are skipped. Returns the variants made.
    """
    require(actor, "catalog.add_productvariant", "make variants")
    # One generator per product at a time; a SKU another product takes meanwhile is refused
    # by the unique index, inside this savepoint, and named.
    product = Product.objects.select_for_update().get(pk=product.pk)
    plan = variant_plan(
        product_id=product.pk,
        name=product.name,
        slug=product.slug,
        sizes=sizes,
        colours=colours,
        pattern=pattern,
    )
    problems = plan_problems(plan)
    if problems:
        raise VariantPlanError(f"No variants made: {problems}.")
    made = []
    try:
        with transaction.atomic():
            for row in plan:
                if row.exists:
                    continue
                variant = ProductVariant(
                    product=product,
                    sku=row.sku,
                    size=row.size,
                    color=row.colour,
                    coverage_id=product.coverage_level_id,
                )
                variant._change_reason = "Made by the variant generator"
                variant._history_user = actor
                variant.save(force_insert=True)
                made.append(variant)
    except IntegrityError as error:
        raise VariantPlanError(
            "No variants made: one of the SKUs was taken by another product meanwhile. "
            "Check the proposed SKUs again."
        ) from error
    return made


@transaction.atomic
def product_archive(*, products, actor) -> int:
    """Take products off the storefront for good while keeping them for their orders: every
    active variant is deactivated (the storefront shows no product without one). Returns how
    many variants changed."""
    require(actor, "catalog.change_productvariant", "archive products")
    variants = list(
        ProductVariant.objects.select_for_update(of=("self",))
        .filter(product__in=products, is_active=True)
        .order_by("pk")
    )
    for variant in variants:
        variant.is_active = False
        variant._change_reason = "Archived with its product"
        variant._history_user = actor
        variant.save(update_fields=["is_active"])
    return len(variants)
