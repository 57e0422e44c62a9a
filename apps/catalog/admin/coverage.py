from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from unfold.admin import ModelAdmin
from unfold.decorators import display

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.models import CoverageLevel, Product, ProductVariant


def _count(model, field):
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@admin.register(CoverageLevel)
class CoverageLevelAdmin(AccessPolicyAdmin, ModelAdmin):
    list_display = ["name", "description", "products", "variants"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                product_total=_count(Product, "coverage_level"),
                variant_total=_count(ProductVariant, "coverage"),
            )
        )

    @display(description="Products", ordering="product_total")
    def products(self, level):
        return level.product_total

    @display(description="Variants", ordering="variant_total")
    def variants(self, level):
        return level.variant_total
