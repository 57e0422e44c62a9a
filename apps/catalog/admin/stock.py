"""The warehouse's stock list: every variant with its stock, edited through the stock service."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.forms import modelformset_factory
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import BooleanRadioFilter
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.admin.filters import VariantCategoryFilter, VariantStockFilter
from apps.catalog.models import ProductVariant
from apps.catalog.resources import (
    StockUpdateResource,
    VariantExportResource,
    VariantResource,
)
from apps.catalog.selectors import variant_search
from apps.catalog.services import (
    StockConflict,
    StockError,
    StockReason,
    stock_adjust,
    stock_conflict_message,
    stock_count,
)
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import (
    EstimatedCountPaginator,
    render_action_form,
)
from apps.toolkit.compact_list import CompactModelFormSet
from apps.toolkit.forms import NOT_SEEN, SeenWidgetsMixin, seen_value, with_seen_value
from apps.toolkit.importing import AuditedImportExportAdmin, stream_csv
from apps.toolkit.numbers import PG_INT_MAX, AsciiIntegerField

ADJUSTMENTS = [
    (StockReason.RECEIVED.value, "Received (adds to stock)"),
    (StockReason.COUNT_CORRECTION.value, "Count correction (sets the stock to the count)"),
    (StockReason.DAMAGED.value, "Damaged (removes from stock)"),
]
DETAIL_FIELDS = ["product", "sku", "size", "color", "coverage"]


# PostgreSQL's integer: a typed level beyond it is a form error, not a database error.
STOCK_MAX = PG_INT_MAX


class VariantForm(SeenWidgetsMixin, forms.ModelForm):
    """A variant's form, in the list and on its page: a typed stock level is a count, checked
    against the level the page showed (optimistic concurrency) and applied by the stock
    service; left as shown, it is not written at all."""

    counted: tuple[int, int] | None = None  # (level typed, level seen) to apply
    seen_fields = ("stock_available",)

    def clean(self):
        cleaned = super().clean()
        if (
            "stock_available" not in self.fields
            or "stock_available" not in cleaned
            or self.instance._state.adding  # a new variant starts with the level typed
        ):
            return cleaned
        typed = cleaned["stock_available"]
        current = self.instance.stock_available
        seen = seen_value(self, "stock_available")
        cleaned["stock_available"] = current  # the model never writes stock itself
        if seen is None:
            if typed != current:
                self.add_error("stock_available", NOT_SEEN)
            return cleaned
        if typed == seen:
            return cleaned
        if current != seen:
            self.add_error("stock_available", stock_conflict_message(self.instance, seen))
        else:
            self.counted = (typed, seen)
        return cleaned


class StockAdjustmentForm(forms.Form):
    reason = forms.ChoiceField(choices=ADJUSTMENTS, widget=UnfoldAdminSelectWidget)
    quantity = AsciiIntegerField(
        min_value=0, max_value=PG_INT_MAX, widget=UnfoldAdminIntegerFieldWidget
    )
    note = forms.CharField(
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Delivery note, count sheet or what happened; kept in the history.",
    )
    # The level the page showed: a count is refused if the stock moved meanwhile.
    stock_seen = AsciiIntegerField(
        min_value=0, max_value=PG_INT_MAX, required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        counting = cleaned.get("reason") == StockReason.COUNT_CORRECTION
        if counting and cleaned.get("stock_seen") is None and "stock_seen" not in self.errors:
            self.add_error("quantity", NOT_SEEN)
        for message in self.errors.pop("stock_seen", []):
            self.add_error("quantity", message)
        return cleaned


@admin.register(ProductVariant)
class ProductVariantAdmin(AuditedImportExportAdmin, AccessPolicyAdmin, ModelAdmin):
    list_display = ["sku", "product_name", "size", "color", "stock_available", "is_active"]
    list_display_links = ["sku"]
    list_select_related = ["product"]
    list_filter = [
        VariantStockFilter,
        ("is_active", BooleanRadioFilter),
        VariantCategoryFilter,
    ]
    search_fields = ["sku"]  # an exact, index-backed lookup: see get_search_results
    search_help_text = "Part of a SKU or of the product's name, in any case (maxi-008, abaya)."
    raw_id_fields = ["product"]
    form = VariantForm
    fields = [*DETAIL_FIELDS, "stock_available", "is_active"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 100
    ordering = ["product_id", "size", "color"]
    actions_detail = ["adjust_stock"]
    actions_list = ["export_all_csv"]
    resource_classes = [StockUpdateResource, VariantResource]

    def get_export_resource_classes(self, request):
        return [VariantExportResource]

    @action(
        description="Export every variant (CSV, whatever the filters)",
        icon="download",
        permissions=["export"],
    )
    def export_all_csv(self, request):
        """Every variant in the current filter, streamed: 600k rows never sit in memory."""
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related("product", "coverage")
        rows = VariantExportResource().export_rows(queryset.order_by("pk"))
        response = StreamingHttpResponse(stream_csv(rows), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="variants.csv"'
        return response

    def get_search_results(self, request, queryset, search_term):
        # Part of a SKU or of the product's name, any case (trigram indexes).
        return variant_search(queryset, search_term), False

    @display(description="Product", ordering="product__name")
    def product_name(self, variant):
        return variant.product.name

    # Who may edit what: the warehouse edits stock and activity, merchandising the rest.

    def can_edit_stock(self, request):
        return request.user.has_perm("catalog.change_stock")

    def can_edit_details(self, request):
        return request.user.has_perm("catalog.change_product")

    def get_readonly_fields(self, request, obj=None):
        readonly = [] if self.can_edit_details(request) else list(DETAIL_FIELDS)
        if not self.can_edit_stock(request):
            readonly.append("stock_available")
        return readonly

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self.can_edit_stock(request):
            # One click from the row, and back to this same filtered list afterwards.
            preserved = self.get_preserved_filters(request)

            @display(description="")
            def adjust(variant):
                url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
                return format_html(
                    '<a class="text-primary-600 underline dark:text-primary-500" '
                    'href="{}{}">Adjust stock</a>',
                    url,
                    f"?{preserved}" if preserved else "",
                )

            columns.append(adjust)
        return columns

    def list_editable_for(self, request):
        # Per role: stock for the warehouse, activity for whoever may change variants.
        editable = ["is_active"] if self.has_change_permission(request) else []
        if self.can_edit_stock(request):
            editable.insert(0, "stock_available")
        return editable

    def build_changelist(self, request):
        editable = self.list_editable_for(request)
        list_display = self.get_list_display(request)
        if self.get_actions(request):
            list_display = ["action_checkbox", *list_display]
        return ChangeList(
            request,
            self.model,
            list_display,
            self.get_list_display_links(request, list_display),
            self.get_list_filter(request),
            self.date_hierarchy,
            self.get_search_fields(request),
            self.get_list_select_related(request),
            self.list_per_page,
            self.list_max_show_all,
            editable,
            self,
            self.get_sortable_by(request),
            self.search_help_text,
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "stock_available":
            kwargs["widget"] = with_seen_value(UnfoldAdminIntegerFieldWidget)
            kwargs["min_value"] = 0
            kwargs["max_value"] = STOCK_MAX
            kwargs["error_messages"] = {
                "min_value": "Stock cannot go below zero.",
                "max_value": f"Stock can be at most {STOCK_MAX:,} (enter 0 to {STOCK_MAX:,}).",
            }
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=VariantForm, **kwargs)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except StockError as error:  # e.g. moved between the form's check and the row lock
            messages.error(request, f"Nothing was saved. {error}")
            return redirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StockError as error:
            messages.error(request, f"Nothing was saved. {error}")
            return redirect(request.get_full_path())

    def get_changelist_formset(self, request, **kwargs):
        # Django's version passes the class-level list_editable; this one passes the role's.
        return modelformset_factory(
            self.model,
            self.get_changelist_form(request),
            extra=0,
            fields=self.list_editable_for(request),
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            # 100 rows of inputs drawn without a template each (issue #16).
            formset=CompactModelFormSet,
            **kwargs,
        )

    def save_model(self, request, obj, form, change):
        """Stock typed into a form is a count, applied by the stock service if the level is
        still the one the page showed (else StockConflict, and nothing of the row is saved)."""
        super().save_model(request, obj, form, change)
        counted = getattr(form, "counted", None)
        if change and counted:
            level, seen = counted
            stock_count(
                variant_id=obj.pk,
                level=level,
                seen=seen,
                actor=request.user,
                note="typed in the admin",
            )
            obj.refresh_from_db(fields=["stock_available"])

    def revert_disabled(self, request, obj=None):
        # Reverting would set stock without the stock service's rules and reason.
        return True

    def has_adjust_stock_permission(self, request, object_id=None):
        return self.can_edit_stock(request)

    @action(description="Adjust stock", permissions=["adjust_stock"], icon="inventory")
    def adjust_stock(self, request, object_id):
        variant = self.get_object(request, object_id)
        if variant is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        # The list the person came from, as filtered: after the adjustment, or going back.
        back = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        list_url = add_preserved_filters(back, reverse("admin:catalog_productvariant_changelist"))
        seen = {"stock_seen": variant.stock_available}
        form = StockAdjustmentForm(request.POST or None, initial=seen)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                stock_adjust(
                    variant=variant,
                    quantity=data["quantity"],
                    reason=StockReason(data["reason"]),
                    note=data["note"],
                    actor=request.user,
                    seen=data["stock_seen"],
                )
            except StockConflict as error:
                # Drawn again with the level as it is now, so the count can be checked again.
                variant.refresh_from_db(fields=["stock_available"])
                posted = request.POST.copy()
                posted["stock_seen"] = str(variant.stock_available)
                form = StockAdjustmentForm(posted)
                form.is_valid()
                form.add_error("quantity", str(error))
            except StockError as error:
                form.add_error("quantity", str(error))
            else:
                submissions.applied(request)
                messages.success(request, adjustment_said(variant, data))
                return redirect(list_url)
        return render_action_form(
            self,
            request,
            title=f"Adjust stock of {variant.sku}",
            obj=variant,
            back=(list_url, "Back to the stock list"),
            form=form,
            submit="Save adjustment",
            intro=f"{variant.product.name}, {variant.get_size_display()}, {variant.color}: "
            f"{variant.stock_available} in stock now.",
        )


def adjustment_said(variant, data) -> str:
    """ "ABY-M-BLK: +10 Received (DN-9), stock 3 → 13.", from the level after the change."""
    reason = StockReason(data["reason"])
    after = variant.stock_available
    if reason == StockReason.COUNT_CORRECTION:
        change, before = f"counted {after}", data["stock_seen"]
    else:
        sign = -1 if reason == StockReason.DAMAGED else 1
        change = f"{'-' if sign < 0 else '+'}{data['quantity']} {reason.label}"
        before = after - sign * data["quantity"]
    note = f" ({data['note']})" if data["note"] else ""
    return f"{variant.sku}: {change}{note}, stock {before} → {after}."
