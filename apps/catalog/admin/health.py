"""Catalog health: every product the storefront hides or shows with a warning, and why,
with links to fix it. The reasons come from the storefront's one rule (apps/feed/visibility.py),
so what this page calls hidden is exactly what the feed answers 404 for."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin
from unfold.decorators import display

from apps.access.modeladmin import ScopedAdmin
from apps.catalog.models import CatalogHealth
from apps.feed.visibility import HIDING_REASONS, WARNINGS, product_problems, with_product_state
from apps.toolkit.admin_helpers import EstimatedCountPaginator

FILTERS = {
    "hidden": ("Hidden from the storefront", Q(shown=False)),
    **{key: (f"Hidden: {text}", Q(**{key: True})) for key, text in HIDING_REASONS.items()},
    **{key: (text.capitalize(), Q(shown=True, **{key: True})) for key, text in WARNINGS.items()},
}


class ReasonFilter(admin.SimpleListFilter):
    title = "reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in FILTERS.items()]

    def queryset(self, request, queryset):
        if self.value() in FILTERS:
            return queryset.filter(FILTERS[self.value()][1])
        return queryset


@admin.register(CatalogHealth)
class CatalogHealthAdmin(ScopedAdmin, ModelAdmin):
    list_display = ["product", "category", "storefront", "reasons", "fix"]
    list_display_links = None  # a row opens the product's editor, not this read-only list's view
    list_select_related = ["category"]
    list_filter = [ReasonFilter]
    search_fields = ["name", "slug"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return (
            with_product_state(super().get_queryset(request))
            .filter(Q(shown=False) | Q(sold_out=True) | Q(no_image=True) | Q(no_coverage=True))
            .order_by("shown", "name", "pk")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @display(description="Product", ordering="name")
    def product(self, product):
        url = reverse("admin:catalog_product_change", args=[product.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, product.name)

    @display(description="Storefront", label={"hidden": "danger", "shown": "warning"})
    def storefront(self, product):
        return "shown" if product.shown else "hidden"

    @display(description="Why")
    def reasons(self, product):
        hiding, warnings = product_problems(product)
        return "; ".join(hiding or warnings)

    @display(description="Fix it")
    def fix(self, product):
        links = [("Edit product", reverse("admin:catalog_product_change", args=[product.pk]))]
        if product.hidden_category:
            # Its own category when that is the hidden one; else the hidden categories, among
            # which is the parent that hides it.
            if not product.category.is_active:
                url = reverse("admin:catalog_category_change", args=[product.category_id])
                links.append((f"Category “{product.category.name}”", url))
            else:
                url = reverse("admin:catalog_category_changelist") + "?is_active__exact=0"
                links.append(("Hidden parent categories", url))
        return format_html_join(
            " · ", '<a class="text-primary-600" href="{1}">{0}</a>', links
        ) or format_html("")
