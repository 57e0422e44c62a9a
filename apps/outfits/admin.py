"""Outfit curation for merchandising, with the storefront's rules enforced."""

from django import forms
from django.contrib import admin
from django.core.files.storage import default_storage
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from apps.catalog.models import ProductImage, ProductVariant
from apps.outfits.models import Outfit, OutfitItem
from backoffice.admin_utils import SafeRevertHistoryAdmin

MIN_ITEMS, MAX_ITEMS = 2, 10


def _items(**filters):
    return OutfitItem.objects.filter(outfit=OuterRef("pk"), **filters).order_by().values("outfit")


def _unsellable_item():
    """An item whose product is off sale: no active variant with stock."""
    in_stock = ProductVariant.objects.filter(
        product=OuterRef("product"), is_active=True, stock_available__gt=0
    )
    return OutfitItem.objects.filter(outfit=OuterRef("pk")).exclude(Exists(in_stock))


class OutfitItemFormSet(forms.BaseInlineFormSet):
    """The storefront's rules: 2 to 10 distinct products, each with an active variant."""

    def clean(self):
        super().clean()
        products = [
            form.cleaned_data["product"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("product")
        ]
        if not MIN_ITEMS <= len(products) <= MAX_ITEMS:
            raise forms.ValidationError(
                f"An outfit has {MIN_ITEMS} to {MAX_ITEMS} products; this one has {len(products)}."
            )
        if len({p.pk for p in products}) != len(products):
            raise forms.ValidationError("A product appears twice in this outfit.")
        active = set(
            ProductVariant.objects.filter(product__in=products, is_active=True).values_list(
                "product_id", flat=True
            )
        )
        inactive = [p.name for p in products if p.pk not in active]
        if inactive:
            raise forms.ValidationError(
                "These products have no active variant, so the shop cannot sell them: "
                + ", ".join(inactive)
                + "."
            )


class OutfitItemInline(TabularInline):
    model = OutfitItem
    formset = OutfitItemFormSet
    extra = 0
    fields = ["product", "position"]
    autocomplete_fields = ["product"]
    ordering_field = "position"
    hide_ordering_field = True


class NeedsModerationFilter(admin.SimpleListFilter):
    title = "moderation"
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [("problems", "Public, with inactive or out-of-stock products")]

    def queryset(self, request, queryset):
        if self.value() == "problems":
            return queryset.filter(is_public=True).filter(Exists(_unsellable_item()))
        return queryset


@admin.register(Outfit)
class OutfitAdmin(SafeRevertHistoryAdmin, ModelAdmin):
    list_display = ["name", "owner", "is_public", "items", "total", "previews", "problems"]
    list_filter = [NeedsModerationFilter, "is_public"]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]
    fields = ["name", "description", "user", "is_public"]
    inlines = [OutfitItemInline]
    actions = ["make_public", "make_private"]
    list_per_page = 50

    def get_queryset(self, request):
        thumbs = (
            ProductImage.objects.filter(product=OuterRef("product"))
            .order_by("-is_feature", "position", "pk")
            .values("thumbnail")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_total=Coalesce(
                    Subquery(
                        _items().annotate(n=Count("pk")).values("n"), output_field=IntegerField()
                    ),
                    0,
                ),
                price_total=Coalesce(
                    Subquery(
                        _items().annotate(t=Sum("product__base_price")).values("t"),
                        output_field=DecimalField(max_digits=12, decimal_places=2),
                    ),
                    0,
                    output_field=DecimalField(max_digits=12, decimal_places=2),
                ),
                has_problem=Exists(_unsellable_item()),
            )
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=OutfitItem.objects.order_by("position", "pk").annotate(
                        thumb=Subquery(thumbs)
                    ),
                )
            )
        )

    @display(description="Owner", ordering="user__email")
    def owner(self, outfit):
        return outfit.user.email

    @display(description="Items", ordering="item_total")
    def items(self, outfit):
        return outfit.item_total

    @display(description="Total price", ordering="price_total")
    def total(self, outfit):
        return outfit.price_total

    @display(description="Preview")
    def previews(self, outfit):
        names = [item.thumb for item in outfit.items.all()[:3] if item.thumb]
        return format_html_join(
            "",
            '<img src="{}" alt="" width="32" height="40" style="display:inline;object-fit:cover;'
            'border-radius:3px;margin-right:2px">',
            ((default_storage.url(name),) for name in names),
        )

    @display(description="Moderation", boolean=False)
    def problems(self, outfit):
        if outfit.is_public and outfit.has_problem:
            return format_html('<span class="text-red-600">{}</span>', "off-sale products")
        return "—"

    @admin.action(description="Make public", permissions=["change"])
    def make_public(self, request, queryset):
        valid = queryset.annotate(n=Count("items")).filter(n__gte=MIN_ITEMS, n__lte=MAX_ITEMS)
        changed = _set_public(valid.filter(is_public=False), True, request.user)
        skipped = queryset.count() - valid.count()
        message = f"{changed} outfits made public."
        if skipped:
            message += f" {skipped} left private: an outfit needs {MIN_ITEMS} to {MAX_ITEMS} items."
        self.message_user(request, message)

    @admin.action(description="Make private", permissions=["change"])
    def make_private(self, request, queryset):
        changed = _set_public(queryset.filter(is_public=True), False, request.user)
        self.message_user(request, f"{changed} outfits made private.")


def _set_public(queryset, public, actor) -> int:
    changed = 0
    for outfit in queryset:
        outfit.is_public = public
        outfit._history_user = actor
        outfit._change_reason = "Made public" if public else "Made private"
        outfit.save(update_fields=["is_public", "updated_at"])
        changed += 1
    return changed
