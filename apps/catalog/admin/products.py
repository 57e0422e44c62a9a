from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import (
    BooleanRadioFilter,
    RangeNumericFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display
from unfold.fields import UnfoldAdminAutocompleteModelChoiceField
from unfold.widgets import UnfoldAdminDecimalFieldWidget

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.admin.filters import CategorySubtreeFilter, ProductStockFilter
from apps.catalog.models import Category, Product, ProductImage, ProductVariant
from apps.catalog.resources import ProductResource, VariantResource
from apps.catalog.selectors import (
    active_stock,
    category_choices,
    category_path,
    feature_thumbnail,
    product_search,
    stock_status,
    variant_count,
)
from apps.catalog.services import product_archive, product_set_featured
from apps.feed.visibility import visible_categories
from apps.toolkit.admin_helpers import AsciiNumbersMixin, EstimatedCountPaginator
from apps.toolkit.forms import SeenValuesModelForm, with_seen_value
from apps.toolkit.importing import AuditedImportExportAdmin
from apps.toolkit.numbers import parse_int
from apps.toolkit.words import counted

# What exists only with its product and goes when a product made by mistake is deleted:
# whoever may delete products may delete these with it, without their own delete permission.
PART_OF_A_PRODUCT = {
    "product variant",
    "product image",
    "outfit item",
    "wishlist",
    "cart item",
}

STOCK_LABELS = {"in": "success", "low": "warning", "out": "danger"}
STOCK_TEXT = {"in": "In stock", "low": "Low", "out": "Out of stock"}


class VariantInline(AsciiNumbersMixin, TabularInline):
    model = ProductVariant
    extra = 0
    fields = ["sku", "size", "color", "coverage", "stock_available", "is_active"]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        coverage = formset.form.base_fields.get("coverage")
        if coverage is not None:
            # Evaluated once for every row, instead of one query per variant row.
            coverage.choices = list(coverage.choices)
        return formset

    # Stock changes only through the stock service (the stock list and "Adjust stock"),
    # which records a reason; a superuser's product form is no exception.
    readonly_fields = ["stock_available"]


class ImageInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("image") or form.instance.pk)
        ]
        features = sum(1 for form in kept if form.cleaned_data.get("is_feature"))
        if kept and features == 0:
            # None chosen: the first image (as ordered) is the feature image, rather than an
            # error that makes the merchandiser choose every file again.
            first = min(kept, key=lambda form: form.cleaned_data.get("position") or 0)
            first.cleaned_data["is_feature"] = True
            first.instance.is_feature = True
            features = 1
        if kept and features != 1:
            raise forms.ValidationError(
                "Mark exactly one image as the feature image (the one shown in listings); "
                f"{features} are marked."
            )


class ImageInline(AsciiNumbersMixin, TabularInline):
    model = ProductImage
    formset = ImageInlineFormSet
    extra = 0
    fields = ["preview", "image", "is_feature", "position"]
    readonly_fields = ["preview"]
    ordering_field = "position"
    hide_ordering_field = True

    @display(description="Preview")
    def preview(self, image):
        if not image.thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="height:72px;border-radius:4px">', image.thumbnail.url
        )


PICKER_PAGE = 20


def category_label(path: str, hidden: bool) -> str:
    return f"{path} (hidden from the storefront)" if hidden else path


class CategoryPathField(UnfoldAdminAutocompleteModelChoiceField):
    """The product's category, searched and shown by its path ("Clothing › Dresses"), the
    hidden ones marked (ProductAdmin.category_picker_view answers the searches)."""

    def label_from_instance(self, category):
        row = category_choices().get(pk=category.pk)
        return category_label(row.path, row.hidden)


class ProductForm(SeenValuesModelForm):
    # Two merchandisers pricing the same product: the second is told, not overwritten.
    seen_fields = ("base_price",)

    category = CategoryPathField(
        url_path="admin:catalog_product_category_picker",
        queryset=Category.objects.all(),
        help_text="Type part of its path: “dresses”, “clothing › abayas”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "category" in self.fields:
            # A new product's picker offers hidden categories marked, but not to choose.
            widget = self.fields["category"].widget
            widget.attrs["data-ajax--url"] = f"{widget.attrs['data-ajax--url']}?new=1"

    def clean_category(self):
        category = self.cleaned_data["category"]
        new = self.instance.pk is None
        if new and not visible_categories().filter(pk=category.pk).exists():
            raise forms.ValidationError(
                f"“{category}” is hidden from the storefront (it or a category above it), so "
                "a new product there would not be seen: choose a shown category, or show "
                "that one first."
            )
        return category


@admin.register(Product)
class ProductAdmin(AuditedImportExportAdmin, AccessPolicyAdmin, ModelAdmin):
    form = ProductForm
    list_display = [
        "thumbnail",
        "name",
        "path",
        "coverage_level",
        "base_price",
        "stock",
        "variants",
        "featured",
    ]
    list_display_links = ["name"]
    list_select_related = ["coverage_level"]
    list_filter = [
        CategorySubtreeFilter,
        ("coverage_level", RelatedDropdownFilter),
        ("is_featured", BooleanRadioFilter),
        ("base_price", RangeNumericFilter),
        ProductStockFilter,
    ]
    list_filter_submit = True
    search_fields = ["name"]  # replaced by full-text search and exact SKU, see below
    search_help_text = (
        "Words from the name or description (any form: dress, dresses), or part of the name "
        "or of a SKU (abay, uxt-001)."
    )
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "category",
        "coverage_level",
        "base_price",
        "is_featured",
        "description",
    ]
    inlines = [VariantInline, ImageInline]
    actions = ["feature", "unfeature", "archive"]
    resource_classes = [ProductResource, VariantResource]

    def get_export_resource_classes(self, request):
        return [ProductResource]

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "base_price":
            kwargs["widget"] = with_seen_value(UnfoldAdminDecimalFieldWidget)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                category_path=category_path(),
                total_stock=active_stock(),
                variant_total=variant_count(),
                thumbnail_name=feature_thumbnail(),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return product_search(queryset, term), False

    @display(description="Image")
    def thumbnail(self, product):
        if not product.thumbnail_name:
            return "—"
        return format_html(
            '<img src="{}" alt="" loading="lazy" width="48" height="60" '
            'style="object-fit:cover;border-radius:4px">',
            default_storage.url(product.thumbnail_name),
        )

    @display(description="Category", ordering="category__tree_id")
    def path(self, product):
        return product.category_path

    @display(description="Stock", ordering="total_stock", label=STOCK_LABELS)
    def stock(self, product):
        status = stock_status(product.total_stock)
        return status, f"{product.total_stock} · {STOCK_TEXT[status]}"

    @display(description="Variants", ordering="variant_total")
    def variants(self, product):
        return product.variant_total

    # Featuring from the list: a switch that saves as it is flipped (toolkit/instant-toggle.js
    # posts to featured_view), instead of an editable cell waiting for the Save button.

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if self.has_change_permission(request):
            return columns
        # Who may not feature products sees the flag, not a switch they cannot use.
        return ["is_featured" if column == "featured" else column for column in columns]

    @display(description="Featured", ordering="is_featured")
    def featured(self, product):
        url = reverse("admin:catalog_product_featured", args=[product.pk])
        return format_html(
            '<label class="instant-toggle"><input type="checkbox" role="switch" '
            'data-instant-toggle="{}" aria-label="Featured on the home page: {}"{}>'
            '<span class="instant-toggle-state" aria-live="polite"></span></label>',
            url,
            product.name,
            " checked" if product.is_featured else "",
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path(
                "category-picker/",
                view(self.category_picker_view),
                name="catalog_product_category_picker",
            ),
            path(
                "<path:object_id>/featured/",
                view(self.featured_view),
                name="catalog_product_featured",
            ),
        ]
        return [*own, *super().get_urls()]

    def category_picker_view(self, request):
        """The category picker's search, in Select2's JSON: paths in tree order, hidden ones
        marked, and for a new product (``new=1``) not selectable."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied("Your role may not choose products' categories.")
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        page = parse_int(request.GET.get("page", "1"), minimum=1, maximum=10_000)
        if page is None:
            return JsonResponse({"error": "page must be a number from 1."}, status=400)
        start = (page - 1) * PICKER_PAGE
        rows = list(category_choices(request.GET.get("term", ""))[start : start + PICKER_PAGE + 1])
        new = request.GET.get("new") == "1"
        results = [
            {
                "id": str(row.pk),
                "text": category_label(row.path, row.hidden),
                "disabled": new and row.hidden,
            }
            for row in rows[:PICKER_PAGE]
        ]
        return JsonResponse({"results": results, "pagination": {"more": len(rows) > PICKER_PAGE}})

    def featured_view(self, request, object_id):
        """POST ``featured=1|0``: feature the product or stop featuring it, answered in JSON
        for the list's switch. The request names the state wanted, not a flip, so a double
        click or a second tab that already did it changes nothing."""
        product = self.get_object(request, object_id)
        if product is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, product):
            raise PermissionDenied("Your role may not feature products.")
        if request.method != "POST":
            return redirect(reverse("admin:catalog_product_change", args=[product.pk]))
        wanted = request.POST.get("featured")
        if wanted not in ("0", "1"):
            return JsonResponse({"error": "Send featured=1 or featured=0."}, status=400)
        changed = product_set_featured(
            products=[product], featured=wanted == "1", actor=request.user
        )
        product.refresh_from_db(fields=["is_featured"])
        state = "featured" if product.is_featured else "not featured"
        message = f"“{product}” is {state}" + ("." if changed else " (it already was).")
        return JsonResponse({"featured": product.is_featured, "message": message})

    # Deleting: a product made by mistake goes with its variants and images (they exist only
    # with it). A product that sold keeps its variants (order lines protect them): archive it.

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed = {name for name in perms_needed if str(name) not in PART_OF_A_PRODUCT}
        return deleted, counts, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if getattr(response, "context_data", {}).get("protected"):
            messages.warning(
                request,
                "This product has been ordered, so it is kept for its orders. To take it off "
                "the storefront, select it in the list and choose “Archive”.",
            )
        return response

    @admin.action(
        description="Archive: deactivate every variant (kept for orders)", permissions=["change"]
    )
    def archive(self, request, queryset):
        changed = product_archive(products=queryset, actor=request.user)
        self.message_user(
            request,
            f"{counted(changed, 'variant')} deactivated: the storefront no longer shows "
            "these products; their orders keep them.",
        )

    @admin.action(description="Feature on the home page", permissions=["change"])
    def feature(self, request, queryset):
        changed = product_set_featured(products=queryset, featured=True, actor=request.user)
        self.message_user(request, f"{counted(changed, 'product')} featured.")

    @admin.action(description="Stop featuring", permissions=["change"])
    def unfeature(self, request, queryset):
        changed = product_set_featured(products=queryset, featured=False, actor=request.user)
        self.message_user(request, f"{counted(changed, 'product')} no longer featured.")
