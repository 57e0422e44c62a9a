"""Outfit curation for merchandising, with the storefront's rules enforced."""

from django import forms
from django.contrib import admin, messages
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

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.models import ProductImage, ProductVariant
from apps.outfits.models import Outfit, OutfitItem
from apps.outfits.services import outfit_problems, outfit_set_public
from apps.toolkit.admin_helpers import AsciiNumbersMixin


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
        problems = outfit_problems(products)
        if problems:
            raise forms.ValidationError(problems)


class OutfitItemInline(AsciiNumbersMixin, TabularInline):
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
class OutfitAdmin(AccessPolicyAdmin, ModelAdmin):
    list_display = ["name", "owner", "is_public", "items", "total", "previews", "problems"]
    list_filter = [NeedsModerationFilter, "is_public"]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]
    account_field = "user"
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
        changed, refused = outfit_set_public(outfits=queryset, public=True, actor=request.user)
        message = f"{changed} outfits made public."
        if refused:
            message += f" {len(refused)} left private: " + " ".join(refused)
        self.message_user(request, message, level=messages.WARNING if refused else messages.INFO)

    @admin.action(description="Make private", permissions=["change"])
    def make_private(self, request, queryset):
        changed, _ = outfit_set_public(outfits=queryset, public=False, actor=request.user)
        self.message_user(request, f"{changed} outfits made private.")
