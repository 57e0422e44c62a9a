from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import (
    BooleanRadioFilter,
    RangeNumericFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display
from unfold.widgets import UnfoldAdminDecimalFieldWidget

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.admin.filters import CategorySubtreeFilter, ProductStockFilter
from apps.catalog.admin.product_form import ImageInline, ProductForm, VariantInline, category_label
from apps.catalog.generator import MAX_PATTERN_LENGTH, VariantPlanError, variant_plan
from apps.catalog.models import Product, ProductVariant
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
from apps.catalog.services import product_archive, product_set_featured, variants_generate
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import (
    CountedChangeList,
    EstimatedCountPaginator,
    rewind_uploads,
)
from apps.toolkit.forms import with_seen_value
from apps.toolkit.importing import AuditedImportExportAdmin
from apps.toolkit.money import money
from apps.toolkit.numbers import parse_id, parse_int
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


PICKER_PAGE = 20


class ProductChangeList(CountedChangeList):
    """Each listed product's featured switch gets its one-time submission key."""

    def get_results(self, request):
        super().get_results(request)
        for product in self.result_list:
            product.switch_key = submissions.issue(request.user)


@admin.register(Product)
class ProductAdmin(AuditedImportExportAdmin, AccessPolicyAdmin, ModelAdmin):
    form = ProductForm
    list_display = [
        "thumbnail",
        "name",
        "path",
        "coverage_level",
        "price",
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
        "or of a SKU (abay, maxi-008)."
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
    generator_fields = ["make_sizes", "make_colours", "make_pattern"]
    inlines = [VariantInline, ImageInline]
    actions = ["feature", "unfeature", "archive"]
    resource_classes = [ProductResource, VariantResource]

    def get_export_resource_classes(self, request):
        return [ProductResource]

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    class Media:
        js = ["catalog/variant-plan.js"]  # the variant generator's preview

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "base_price":
            kwargs["widget"] = with_seen_value(UnfoldAdminDecimalFieldWidget)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changelist(self, request, **kwargs):
        return ProductChangeList

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

    @display(description="Price", ordering="base_price")
    def price(self, product):
        return money(product.base_price)

    @display(description="Stock", ordering="total_stock", label=STOCK_LABELS)
    def stock(self, product):
        status = stock_status(product.total_stock)
        return status, f"{product.total_stock} · {STOCK_TEXT[status]}"

    @display(description="Variants", ordering="variant_total")
    def variants(self, product):
        return product.variant_total

    # The variant generator: a section of the form for who may make variants, previewed by
    # catalog/variant-plan.js through variant_plan_view, made by variants_generate.

    def may_make_variants(self, request, obj=None) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.url_name or "").endswith("_simple_history"):
            return False  # a history revert restores a version of the product; it makes nothing
        may_edit = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        return may_edit and request.user.has_perm("catalog.add_productvariant")

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": self.fields})]
        if self.may_make_variants(request, obj):
            plan_url = reverse("admin:catalog_product_variant_plan")
            if obj is not None:
                plan_url += f"?product={obj.pk}"
            fieldsets.append(
                (
                    "Make variants: sizes × colours",
                    {
                        "fields": self.generator_fields,
                        "description": format_html(
                            "Every size in every colour, with stock 0 (receive stock on the "
                            "stock list). Sizes and colours the product has are skipped. "
                            '<div id="variant-plan" data-url="{}" aria-live="polite"></div>',
                            plan_url,
                        ),
                    },
                )
            )
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class on each call
        if not self.may_make_variants(request, obj):
            for name in self.generator_fields:
                form.base_fields.pop(name, None)
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not getattr(form, "variants_planned", None):
            return
        # A SKU taken between the form's check and here raises VariantPlanError: the whole
        # save rolls back and changeform_view checks the form again, which names it.
        made = variants_generate(
            product=form.instance,
            sizes=form.cleaned_data["make_sizes"],
            colours=form.cleaned_data["make_colours"],
            pattern=form.cleaned_data["make_pattern"],
            actor=request.user,
        )
        skus = ", ".join(variant.sku for variant in made)
        messages.success(request, f"{counted(len(made), 'variant')} made: {skus}.")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VariantPlanError:
            rewind_uploads(request)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def variant_plan_view(self, request):
        """The generator's preview, in JSON: each size × colour with its SKU and whether it
        can be made, as ``variants_generate`` would decide."""
        product = None
        if "product" in request.GET:  # the change form's preview: that product, as its page
            if parse_id(request.GET["product"]) is None:
                return JsonResponse({"error": "product must be a product's number."}, status=400)
            product = self.get_object(request, request.GET["product"])
            if product is None:
                return JsonResponse({"error": "This product no longer exists."}, status=404)
        if not self.may_make_variants(request, product):
            raise PermissionDenied("Your role may not make variants.")
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        product_id = product.pk if product else None
        sizes = request.GET.getlist("make_sizes")
        if any(parse_int(size, maximum=len(ProductVariant.Size) - 1) is None for size in sizes):
            return JsonResponse({"error": "Choose sizes from the list (XS to XXL)."}, status=400)
        try:
            plan = variant_plan(
                product_id=product_id,
                # As the form posts them: the plan is the save's, character for character.
                name=request.GET.get("name", "")[:255],
                slug=request.GET.get("slug", "")[:255],
                sizes=sizes,
                colours=request.GET.get("make_colours", "")[:2000],
                pattern=request.GET.get("make_pattern", "")[: MAX_PATTERN_LENGTH + 1],
            )
        except VariantPlanError as error:
            return JsonResponse({"error": str(error), "field": error.field, "variants": []})
        variants = [
            {
                "sku": row.sku,
                "size": row.size_label,
                "colour": row.colour,
                "exists": row.exists,
                "problem": row.problem,
            }
            for row in plan
        ]
        return JsonResponse({"error": "", "variants": variants})

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
        # Each flip is one submission: the switch carries a key, each answer the next one.
        url = reverse("admin:catalog_product_featured", args=[product.pk])
        return format_html(
            '<label class="instant-toggle"><input type="checkbox" role="switch" '
            'data-instant-toggle="{}" data-submission="{}" '
            'aria-label="Featured on the home page: {}"{}>'
            '<span class="instant-toggle-state" aria-live="polite"></span></label>',
            url,
            getattr(product, "switch_key", ""),
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
                "variant-plan/",
                view(self.variant_plan_view),
                name="catalog_product_variant_plan",
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
        if not self.has_change_permission(request):
            raise PermissionDenied("Your role may not feature products.")
        product = self.get_object(request, object_id)
        if product is None:  # deleted meanwhile, or never there: the switch says so
            return JsonResponse({"error": "This product no longer exists."}, status=404)
        if request.method != "POST":
            return redirect(reverse("admin:catalog_product_change", args=[product.pk]))
        wanted = request.POST.get("featured")
        if wanted not in ("0", "1"):
            return JsonResponse({"error": "Send featured=1 or featured=0."}, status=400)
        changed = product_set_featured(
            products=[product], featured=wanted == "1", actor=request.user
        )
        submissions.applied(request)
        product.refresh_from_db(fields=["is_featured"])
        state = "featured" if product.is_featured else "not featured"
        message = f"“{product}” is {state}" + ("." if changed else " (it already was).")
        submissions.note(request, message)
        # The switch's key for its next flip (a repeat of this one is answered as this was).
        return JsonResponse(
            {
                "featured": product.is_featured,
                "message": message,
                "next_key": submissions.issue(request.user),
            }
        )

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
