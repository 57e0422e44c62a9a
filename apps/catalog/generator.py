"""The variant generator's plan: sizes × colours, each with a SKU from a pattern, checked.

The product form previews the plan as it is typed (ProductAdmin.variant_plan_view), checks it
on save, and ``services.variants_generate`` writes it: one definition of what would be made.
"""

import string
import unicodedata
from dataclasses import dataclass

from apps.catalog.models import ProductVariant

DEFAULT_PATTERN = "{name}-{size}-{colour}"
PATTERN_PARTS = {
    "name": "the initials of the product's name (Tiered Linen Abaya: TLA)",
    "slug": "the product's web name (TIERED-LINEN-ABAYA)",
    "size": "the size (M)",
    "colour": "the colour (DUSTY-ROSE)",
    "col": "the colour's first three letters (DUS)",
}
MAX_COLOURS = 20
MAX_PATTERN_LENGTH = 100
COLOUR_MAX_LENGTH = ProductVariant._meta.get_field("color").max_length
SKU_MAX_LENGTH = ProductVariant._meta.get_field("sku").max_length


class VariantPlanError(ValueError):
    """The generator's input cannot make variants; the message is meant for the person, and
    ``field`` names what to correct ("sizes", "colours" or "pattern")."""

    def __init__(self, message: str, field: str = "pattern"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlannedVariant:
    size: int
    colour: str
    sku: str
    #: This product has this size and colour already: nothing is made for it.
    exists: bool = False
    #: Why it cannot be made (its SKU is taken, or made twice); empty when it can.
    problem: str = ""

    @property
    def size_label(self) -> str:
        return ProductVariant.Size(self.size).label


def parse_colours(text: str) -> list[str]:
    """ "Black, dusty rose ,Sage" -> ["Black", "Dusty Rose", "Sage"], each colour once."""
    colours: dict[str, str] = {}
    for part in str(text).split(","):
        words = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in part).split()
        if not words:
            continue
        colour = " ".join(word[:1].upper() + word[1:] for word in words)
        if len(colour) > COLOUR_MAX_LENGTH:
            raise VariantPlanError(
                f"“{colour[:30]}…” is longer than a colour can be "
                f"({COLOUR_MAX_LENGTH} characters).",
                "colours",
            )
        colours.setdefault(colour.casefold(), colour)
    if len(colours) > MAX_COLOURS:
        raise VariantPlanError(
            f"At most {MAX_COLOURS} colours at a time ({len(colours)} given).", "colours"
        )
    return list(colours.values())


def _sku_part(text: str) -> str:
    """Capitals, digits and dashes: "Dusty Rose" -> "DUSTY-ROSE", "Ébène" -> "EBENE"; any
    other character (a space, a soft hyphen, a letter outside A–Z) separates words."""
    letters = (
        ch
        for ch in unicodedata.normalize("NFKD", str(text))
        if unicodedata.category(ch)[0] != "M"  # the accents "É" decomposes into
    )
    plain = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in letters)
    return "-".join(plain.upper().split())


def check_pattern(pattern: str) -> str:
    pattern = " ".join(str(pattern).split())
    if not pattern:
        raise VariantPlanError(f"Enter a SKU pattern, such as {DEFAULT_PATTERN}.")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise VariantPlanError(f"A SKU pattern has at most {MAX_PATTERN_LENGTH} characters.")
    try:
        fields = [
            (field, f"{'!' + conversion if conversion else ''}{':' + spec if spec else ''}")
            for _, field, spec, conversion in string.Formatter().parse(pattern)
            if field is not None
        ]
    except ValueError as error:
        raise VariantPlanError(f"The SKU pattern's braces do not pair up ({error}).") from error
    parts = {field for field, _ in fields}
    # As typed ("{colour!r}", "{size:>9}"): a part with a conversion or a format is refused.
    unknown = sorted(
        f"{{{field}{extra}}}" for field, extra in fields if field not in PATTERN_PARTS or extra
    )
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PATTERN_PARTS)
        raise VariantPlanError(f"The SKU pattern can use {known}; not {', '.join(unknown)}.")
    if "size" not in parts or not {"colour", "col"} & parts:
        raise VariantPlanError("The SKU pattern needs {size} and {colour} (or {col}).")
    return pattern


def pattern_parts(pattern: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(pattern) if field}


def sku_from_pattern(pattern: str, *, name: str, slug: str, size: int, colour: str) -> str:
    initials = "".join(word[0] for word in _sku_part(name).split("-") if word)
    values = {
        "name": initials,
        "slug": _sku_part(slug),
        "size": ProductVariant.Size(size).label,
        "colour": _sku_part(colour),
        "col": _sku_part(colour).replace("-", "")[:3],
    }
    return _sku_part(pattern.format(**values))


def variant_plan(
    *, product_id: int | None, name: str, slug: str, sizes, colours: str, pattern: str
) -> list[PlannedVariant]:
    """What the generator would make, size by size then colour by colour; two queries.

    Raises :class:`VariantPlanError` when the input itself is wrong (no size or colour, a bad
    pattern); a row that cannot be made says why in its ``problem``.
    """
    try:
        sizes = sorted({ProductVariant.Size(int(size)) for size in sizes})
    except (TypeError, ValueError) as error:
        raise VariantPlanError("Choose sizes from the list (XS to XXL).", "sizes") from error
    names = parse_colours(colours)
    if not sizes:
        raise VariantPlanError("Choose at least one size.", "sizes")
    if not names:
        raise VariantPlanError("Enter at least one colour, e.g. “Black, Sage”.", "colours")
    pattern = check_pattern(pattern)
    have = set()
    if product_id is not None:
        have = {
            (size, colour.casefold())
            for size, colour in ProductVariant.objects.filter(product_id=product_id).values_list(
                "size", "color"
            )
        }
    combos = [(size, colour) for size in sizes for colour in names]
    skus = {
        combo: sku_from_pattern(pattern, name=name, slug=slug, size=combo[0], colour=combo[1])
        for combo in combos
    }
    taken = dict(
        ProductVariant.objects.filter(sku__in=set(skus.values())).values_list(
            "sku", "product__name"
        )
    )
    plan, made = [], set()
    for size, colour in combos:
        sku = skus[size, colour]
        if (size, colour.casefold()) in have:
            plan.append(PlannedVariant(size, colour, sku, exists=True))
            continue
        if not _sku_part(colour) and {"colour", "col"} & pattern_parts(pattern):
            problem = f"“{colour}” has no letters a SKU can use (A–Z, 0–9): write it so"
        elif not sku:
            problem = "the pattern makes an empty SKU"
        elif len(sku) > SKU_MAX_LENGTH:
            problem = f"longer than a SKU can be ({SKU_MAX_LENGTH} characters)"
        elif sku in taken:
            problem = f"SKU taken by “{taken[sku]}”"
        elif sku in made:
            problem = "the pattern gives this SKU twice"
        else:
            problem = ""
        made.add(sku)
        plan.append(PlannedVariant(size, colour, sku, problem=problem))
    return plan


def plan_problems(plan: list[PlannedVariant]) -> str:
    """ "TLA-S-SAGE: SKU taken by “Tiered Abaya”; …", or "" when every row can be made."""
    return "; ".join(f"{row.sku or '(empty)'}: {row.problem}" for row in plan if row.problem)
