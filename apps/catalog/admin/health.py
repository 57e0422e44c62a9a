"""Catalog health: every product the storefront cannot show, and why, with links to fix it."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin
from unfold.decorators import display

from apps.access.modeladmin import ScopedAdmin
from apps.catalog.models import CatalogHealth, ProductImage, ProductVariant
from apps.catalog.selectors import hidden_ancestor
from apps.toolkit.admin_helpers import EstimatedCountPaginator

REASONS = {
    "hidden_category": "its category or a parent category is inactive",
    "no_active_variant": "no active variant",
    "no_image": "no image",
    "no_coverage": "no coverage level",
}


def with_health(queryset):
    active_variant = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
    image = ProductImage.objects.filter(product=OuterRef("pk"))
    return queryset.annotate(
        hidden_category=hidden_ancestor("category__"),
        no_active_variant=~Exists(active_variant),
        no_image=~Exists(image),
        no_coverage=Q(coverage_level__isnull=True),
    )


class ReasonFilter(admin.SimpleListFilter):
    title = "reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return list(REASONS.items())

    def queryset(self, request, queryset):
        if self.value() in REASONS:
            return queryset.filter(**{self.value(): True})
        return queryset


@admin.register(CatalogHealth)
class CatalogHealthAdmin(ScopedAdmin, ModelAdmin):
    list_display = ["name", "category", "reasons", "fix"]
    list_select_related = ["category"]
    list_filter = [ReasonFilter]
    search_fields = ["name", "slug"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return (
            with_health(super().get_queryset(request))
            .filter(
                Q(hidden_category=True)
                | Q(no_active_variant=True)
                | Q(no_image=True)
                | Q(no_coverage=True)
            )
            .order_by("name", "pk")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description="Why the storefront cannot show it")
    def reasons(self, product):
        return "; ".join(text for key, text in REASONS.items() if getattr(product, key))

    @display(description="Fix it")
    def fix(self, product):
        links = [("Edit product", reverse("admin:catalog_product_change", args=[product.pk]))]
        if product.hidden_category:
            links.append(("Categories", reverse("admin:catalog_category_changelist")))
        return format_html_join(
            " · ", '<a class="text-primary-600" href="{1}">{0}</a>', links
        ) or format_html("")
