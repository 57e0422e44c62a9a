from django.conf import settings
from django.contrib import admin
from unfold.contrib.filters.admin import DropdownFilter

from apps.catalog.models import Category
from apps.catalog.selectors import subtree_filter
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

    def queryset(self, request, queryset):
        threshold = settings.LOW_STOCK_THRESHOLD
        match self.value():
            case "in":
                return queryset.filter(total_stock__gt=threshold)
            case "low":
                return queryset.filter(total_stock__gte=1, total_stock__lte=threshold)
            case "out":
                return queryset.filter(total_stock__lte=0)
        return queryset


class VariantStockFilter(ProductStockFilter):
    def queryset(self, request, queryset):
        threshold = settings.LOW_STOCK_THRESHOLD
        match self.value():
            case "in":
                return queryset.filter(stock_available__gt=threshold)
            case "low":
                return queryset.filter(stock_available__gte=1, stock_available__lte=threshold)
            case "out":
                return queryset.filter(stock_available=0)
        return queryset
