"""Import and export of the catalog (django-import-export), on the audited bulk path."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from apps.catalog.models import Category, CoverageLevel, Product, ProductVariant
from apps.catalog.services import StockError, StockReason, lock_category_tree, stock_apply
from apps.feed.visibility import visible_categories
from apps.toolkit.importing import AuditedResource, CachedForeignKeyWidget
from apps.toolkit.numbers import PG_INT_MAX, parse_int

SIZES = {label: value for value, label in ProductVariant.Size.choices}
PRICE_MAX_DIGITS, PRICE_DECIMALS = 6, 2


PRICE_PATTERN = re.compile(r"[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+")


def parse_price(value) -> Decimal:
    """A price as staff write it in a file: digits 0–9 with an optional decimal point or
    comma ("79", "79.5", "79,50"); no signs, exponents, spaces or other scripts' digits."""
    text = str(value if value is not None else "").strip()
    if text.startswith("-") and PRICE_PATTERN.fullmatch(text[1:]):
        raise ValueError(f"“{value}” is not a price of zero or more")
    if not PRICE_PATTERN.fullmatch(text):
        raise ValueError(f"“{value}” is not a price: write digits 0–9, e.g. 79.90")
    price = Decimal(text.replace(",", "."))
    if -price.as_tuple().exponent > PRICE_DECIMALS and price != price.quantize(Decimal("0.01")):
        raise ValueError(f"“{value}” has more than {PRICE_DECIMALS} decimals")
    if price >= 10 ** (PRICE_MAX_DIGITS - PRICE_DECIMALS):
        raise ValueError(f"“{value}” has too many digits: at most 9999.99")
    return price.quantize(Decimal("0.01"))


class PriceWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_price(value)


class SizeWidget(widgets.Widget):
    """Sizes as staff write them: XS, S, M, L, XL, XXL (or 0 to 5)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().upper()
        if text in SIZES:
            return SIZES[text]
        number = parse_int(text)
        if number is not None and number in SIZES.values():
            return number
        raise ValueError(f"“{value}” is not a size (XS, S, M, L, XL or XXL)")

    def render(self, value, obj=None, **kwargs):
        return ProductVariant.Size(value).label if value is not None else ""


class StrictBooleanWidget(widgets.BooleanWidget):
    TRUE = {"1", "true", "yes", "y"}
    FALSE = {"0", "false", "no", "n", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{value}” is not yes/no (1/0, true/false)")


class ParentCategoryWidget(CachedForeignKeyWidget):
    def __init__(self):
        super().__init__(Category, "slug", "parent category")
        self.in_file: set[str] = set()

    def clean(self, value, row=None, **kwargs):
        key = str(value or "").strip()
        if key and key == str((row or {}).get("slug") or "").strip():
            raise ValueError(f"“{key}” names itself as its parent")
        if key and key not in (self.cache or {}) and key in self.in_file:
            raise ValueError(
                f"parent category “{key}” comes further down in the file: list parents "
                "before their children"
            )
        return super().clean(value, row, **kwargs)


class CategoryResource(AuditedResource):
    """The category tree, keyed by slug; each row names its parent by slug."""

    import_permission = "catalog.change_category"
    required_columns = ("slug", "name")
    optional_columns = ("parent", "is_active")
    column_help = {
        "slug": "the category's web name (letters, digits, hyphens); an existing slug updates it",
        "name": "the name staff and shoppers see",
        "parent": "the slug of the category it sits under; empty for a top-level category",
        "is_active": "yes or no: shown in the storefront",
    }
    key_column = "slug"

    parent = fields.Field(attribute="parent", column_name="parent", widget=ParentCategoryWidget())
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", widget=StrictBooleanWidget()
    )

    class Meta:
        model = Category
        name = "Categories (slug, name, parent, is_active)"
        import_id_fields = ["slug"]
        fields = ["slug", "name", "parent", "is_active"]
        # Tree columns are maintained by MPTT on each save, so categories are saved one by
        # one (a catalog has hundreds, not thousands); parents come before their children,
        # as in an export, which lists the tree in order.
        use_bulk = False
        skip_unchanged = True
        report_skipped = True

    def prime_lookups(self, dataset):
        # The tree is rewritten (new categories, the rebuild after the import) under its lock.
        lock_category_tree()
        widget = self.fields["parent"].widget
        widget.cache = {c.slug: c for c in Category.objects.all()}
        widget.in_file = {str(slug or "").strip() for slug in dataset["slug"]}

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        changed = instance.changed_fields() or []
        if "parent" in changed:
            raise ValidationError(
                {
                    "parent": f"“{instance.slug}” already exists under another parent; move "
                    "categories with Move on the category list, not by import"
                }
            )

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._history_user = self.user
        instance._change_reason = self.batch_name
        super().save_instance(instance, is_create, row, **kwargs)
        # Later rows may name this category as their parent.
        self.fields["parent"].widget.cache[instance.slug] = instance

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            Category.objects.rebuild()


class ProductResource(AuditedResource):
    """Products keyed by slug; category by slug, coverage level by name."""

    import_permission = "catalog.add_product"
    required_columns = ("slug", "name", "category", "base_price")
    optional_columns = ("coverage_level", "description", "is_featured")
    column_help = {
        "slug": "the product's web name; an existing slug updates that product",
        "name": "the product's name",
        "category": "the slug of its category",
        "base_price": "the price, e.g. 79.00",
        "coverage_level": "the name of its coverage level",
        "description": "the text on the product page",
        "is_featured": "yes or no: featured on the home page",
    }
    key_column = "slug"

    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=CachedForeignKeyWidget(Category, "slug", "category"),
    )
    coverage_level = fields.Field(
        attribute="coverage_level",
        column_name="coverage_level",
        widget=CachedForeignKeyWidget(CoverageLevel, "name", "coverage level"),
    )
    base_price = fields.Field(
        attribute="base_price", column_name="base_price", widget=PriceWidget()
    )
    is_featured = fields.Field(
        attribute="is_featured", column_name="is_featured", widget=StrictBooleanWidget()
    )

    class Meta:
        model = Product
        name = "Products (slug, name, category, coverage_level, base_price, …)"
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "category",
            "coverage_level",
            "base_price",
            "description",
            "is_featured",
        ]
        export_order = fields
        use_bulk = True
        batch_size = 2000
        skip_unchanged = True
        report_skipped = True

    def prime_lookups(self, dataset):
        self.fields["category"].widget.prime(dataset["category"])
        self.fields["coverage_level"].widget.cache = {
            level.name: level for level in CoverageLevel.objects.all()
        }
        self.shown_categories = set(visible_categories().values_list("pk", flat=True))

    def import_instance(self, instance, row, **kwargs):
        new = instance.pk is None
        super().import_instance(instance, row, **kwargs)
        # As the product form: a new product is not put where the storefront cannot show it.
        if new and instance.category_id and instance.category_id not in self.shown_categories:
            raise ValidationError(
                {
                    "category": f"“{instance.category.slug}” is hidden from the storefront (it "
                    "or a category above it), so a new product there would not be seen: "
                    "show it first, or choose another"
                }
            )

    def get_queryset(self):
        # super(): a confirmation locks the rows it compares with its preview.
        return super().get_queryset().select_related("category", "coverage_level")


class VariantResource(AuditedResource):
    """Variants keyed by SKU; product by slug. Stock is not in here: that is the warehouse's
    stock update."""

    import_permission = "catalog.change_product"
    required_columns = ("sku", "product", "size", "color")
    optional_columns = ("coverage", "is_active")
    column_help = {
        "sku": "the variant's code; an existing SKU updates that variant",
        "product": "the slug of its product",
        "size": "XS, S, M, L, XL or XXL",
        "color": "its colour, e.g. Sand",
        "coverage": "the name of its coverage level",
        "is_active": "yes or no: sold",
    }
    key_column = "sku"

    product = fields.Field(
        attribute="product",
        column_name="product",
        widget=CachedForeignKeyWidget(Product, "slug", "product"),
    )
    coverage = fields.Field(
        attribute="coverage",
        column_name="coverage",
        widget=CachedForeignKeyWidget(CoverageLevel, "name", "coverage level"),
    )
    size = fields.Field(attribute="size", column_name="size", widget=SizeWidget())
    is_active = fields.Field(
        attribute="is_active", column_name="is_active", widget=StrictBooleanWidget()
    )

    class Meta:
        model = ProductVariant
        name = "Variants (sku, product, size, color, coverage, is_active)"
        import_id_fields = ["sku"]
        fields = ["sku", "product", "size", "color", "coverage", "is_active"]
        export_order = fields
        use_bulk = True
        batch_size = 2000
        skip_unchanged = True
        report_skipped = True

    def prime_lookups(self, dataset):
        self.fields["product"].widget.prime(dataset["product"])
        self.fields["coverage"].widget.cache = {c.name: c for c in CoverageLevel.objects.all()}

    def get_queryset(self):
        return super().get_queryset().select_related("product", "coverage")


class VariantExportResource(VariantResource):
    """The variant list for the warehouse and accounting: with stock, read-only."""

    stock_available = fields.Field(attribute="stock_available", column_name="stock")

    class Meta(VariantResource.Meta):
        name = "Variants with stock"
        fields = ["sku", "product", "size", "color", "coverage", "stock_available", "is_active"]
        export_order = fields


class StockUpdateResource(AuditedResource):
    """The warehouse's stock update: per SKU, a new level (``stock``) or a change (``delta``)
    with a ``reason``. Applied by the stock service: never below zero, reason in the history.
    """

    import_permission = "catalog.change_stock"
    required_columns = ("sku",)
    optional_columns = ("stock", "delta", "reason")
    column_help = {
        "sku": "the variant's code",
        "stock": "the new level counted, 0 or more (or leave empty and give a delta)",
        "delta": "a change, e.g. 24 received or -2 damaged (or leave empty and give stock)",
        "reason": "kept in the history, e.g. the delivery note",
    }
    key_column = "sku"

    stock = fields.Field(
        attribute="stock_available", column_name="stock", widget=widgets.IntegerWidget()
    )
    # Read by the stock service, not written to the row; the preview shows them from the
    # values import_instance keeps on the variant.
    delta = fields.Field(
        attribute="import_delta",
        column_name="delta",
        widget=widgets.IntegerWidget(),
        readonly=True,
    )
    reason = fields.Field(attribute="import_reason", column_name="reason", readonly=True)

    class Meta:
        model = ProductVariant
        name = "Stock update (sku, then stock or delta, reason)"
        import_id_fields = ["sku"]
        fields = ["sku", "stock", "delta", "reason"]
        use_bulk = True
        skip_unchanged = True
        report_skipped = True

    def get_or_init_instance(self, instance_loader, row):
        instance = self.get_instance(instance_loader, row)
        if instance is None:
            sku = str(row.get("sku")).strip()
            # SKUs match exactly (the database holds them case-sensitively); one typed in
            # another case is named, for the first few (a query each) rather than every row
            # of a file written in the wrong case.
            hint = ""
            self._hints_left = getattr(self, "_hints_left", 10) - 1
            if self._hints_left >= 0:
                other_case = (
                    ProductVariant.objects.filter(sku__iexact=sku)
                    .order_by("sku")
                    .values_list("sku", flat=True)
                    .first()
                )
                if other_case:
                    hint = f" (SKUs match exactly: did you mean “{other_case}”?)"
            raise ValidationError({"sku": f"unknown SKU “{sku}”{hint}"})
        return instance, False

    def overwritten_values(self, instance, row):
        # A new level replaces the level the preview showed; a delta is added to whatever the
        # level is when it is confirmed (an order placed meanwhile is not undone).
        if str(row.get("stock") or "").strip():
            return {"stock": str(instance.stock_available)}
        return {}

    def import_instance(self, instance, row, **kwargs):
        level, delta = str(row.get("stock") or "").strip(), str(row.get("delta") or "").strip()
        if bool(level) == bool(delta):
            raise ValidationError(
                {
                    "stock": "give either a new stock level or a delta, not both"
                    if level
                    else "give a new stock level (stock) or a delta"
                }
            )
        current = instance.stock_available
        column, text = ("stock", level) if level else ("delta", delta)
        number = parse_int(text, minimum=-PG_INT_MAX)
        if number is None:
            digits = text.lstrip("+-")
            in_digits = digits.isascii() and digits.isdigit() and len(text) - len(digits) <= 1
            raise ValidationError(
                {
                    column: f"“{text}” is out of range: at most {PG_INT_MAX:,} either way"
                    if in_digits
                    else f"“{text}” is not a whole number written in digits 0–9"
                }
            )
        new_level = number if level else current + number
        if new_level < 0:
            raise ValidationError(
                {
                    column: f"would make the stock of {instance.sku} {new_level} "
                    f"(it is {current}); stock never goes below zero"
                }
            )
        if new_level > PG_INT_MAX:
            raise ValidationError(
                {
                    column: f"would make the stock of {instance.sku} {new_level:,}; a stock "
                    f"level holds at most {PG_INT_MAX:,}"
                }
            )
        instance._import_unchanged = new_level == current
        instance.stock_available = new_level
        # A delta is applied as a delta under the stock service's lock, so that an order
        # placed between the preview and the confirmation is not overwritten.
        instance.import_delta = number if delta else None
        instance.import_reason = str(row.get("reason") or "").strip()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances or (dry_run and not using_transactions):
            self.update_instances.clear()
            return
        by_reason: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
        for variant in self.update_instances:
            levels, deltas = by_reason.setdefault(variant.import_reason, ({}, {}))
            if variant.import_delta is None:
                levels[variant.pk] = variant.stock_available
            else:
                deltas[variant.pk] = variant.import_delta
        try:
            for reason, (levels, deltas) in by_reason.items():
                note = f"{self.batch_name}: {reason}" if reason else self.batch_name
                stock_apply(
                    levels=levels,
                    deltas=deltas,
                    reason=StockReason.IMPORT,
                    note=note,
                    actor=self.user,
                )
        except StockError as error:  # stock moved since the preview: refuse the whole file
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()
