from django.conf import settings
from django.contrib import admin
from unfold.contrib.filters.admin import DropdownFilter

from apps.catalog.models import Category
from apps.catalog.selectors import stock_level, subtree_filter
from apps.toolkit.numbers import parse_id


class CategorySubtreeFilter(DropdownFilter):
    """A category, its subcategories included (choosing "Dresses" lists evening dresses too)."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [
            (str(c.pk), f"{'— ' * c.level}{c.name}")
            for c in Category.objects.order_by("tree_id", "lft").only("pk", "name", "level")
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        category_id = parse_id(self.value())
        if category_id is None:  # not a category id at all ("abc", "%00"): nothing matches
            return queryset.none()
        category = Category.objects.filter(pk=category_id).first()
        if category is None:
            return queryset.none()
        return queryset.filter(subtree_filter(category, self.field_prefix))

    field_prefix = "category__"


class VariantCategoryFilter(CategorySubtreeFilter):
    field_prefix = "product__category__"


class ProductStockFilter(admin.SimpleListFilter):
    """Stock of the product's active variants, against settings.LOW_STOCK_THRESHOLD."""

    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        threshold = settings.LOW_STOCK_THRESHOLD
        return [
            ("in", f"In stock (more than {threshold})"),
            ("low", f"Low (1 to {threshold})"),
            ("out", "Out of stock"),
        ]

    field = "total_stock"

    def queryset(self, request, queryset):
        if self.value() not in ("in", "low", "out"):
            return queryset
        return queryset.filter(stock_level(self.value(), self.field))


class VariantStockFilter(ProductStockFilter):
    field = "stock_available"
