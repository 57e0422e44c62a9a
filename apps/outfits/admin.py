"""Outfit curation for merchandising, with the storefront's rules enforced."""

from django import forms
from django.contrib import admin, messages
from django.core.files.storage import default_storage
from django.db.models import (
    F,
    OuterRef,
    Prefetch,
    Subquery,
)
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.models import ProductImage
from apps.catalog.selectors import FEATURE_IMAGE_FIRST
from apps.feed.visibility import outfit_storefront_problems, visible_items, with_outfit_state
from apps.outfits.models import Outfit, OutfitItem
from apps.outfits.services import outfit_problems, outfit_set_public
from apps.toolkit.admin_helpers import AsciiNumbersMixin
from apps.toolkit.words import counted


class OutfitItemFormSet(forms.BaseInlineFormSet):
    """The storefront's rules: 2 to 10 distinct products, each shown by the storefront when
    the outfit is public (the form has set ``instance.is_public`` by now)."""

    def clean(self):
        super().clean()
        products = [
            form.cleaned_data["product"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("product")
        ]
        problems = outfit_problems(products, public=self.instance.is_public)
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
        return [
            ("problems", "Public, with products the storefront does not show"),
            ("not_shown", "Public, but not shown (too few products shown)"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "problems":
            return queryset.filter(is_public=True).exclude(shown_items=F("all_items"))
        if self.value() == "not_shown":
            return queryset.filter(is_public=True, shown=False)
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
        # Counts, totals and previews from the items the storefront shows, as the feed does.
        thumbs = (
            ProductImage.objects.filter(product=OuterRef("product"))
            .order_by(*FEATURE_IMAGE_FIRST)
            .values("thumbnail")[:1]
        )
        return with_outfit_state(super().get_queryset(request)).prefetch_related(
            Prefetch(
                "items",
                queryset=visible_items()
                .order_by("position", "pk")
                .annotate(thumb=Subquery(thumbs)),
                to_attr="shown_item_list",
            )
        )

    @display(description="Owner", ordering="user__email")
    def owner(self, outfit):
        return outfit.user.email

    @display(description="Items shown", ordering="shown_items")
    def items(self, outfit):
        if outfit.shown_items == outfit.all_items:
            return outfit.shown_items
        return f"{outfit.shown_items} of {outfit.all_items}"

    @display(description="Total price (shown items)", ordering="shown_total")
    def total(self, outfit):
        return outfit.shown_total

    @display(description="Preview")
    def previews(self, outfit):
        names = [item.thumb for item in outfit.shown_item_list[:3] if item.thumb]
        return format_html_join(
            "",
            '<img src="{}" alt="" width="32" height="40" style="display:inline;object-fit:cover;'
            'border-radius:3px;margin-right:2px">',
            ((default_storage.url(name),) for name in names),
        )

    @display(description="Storefront")
    def problems(self, outfit):
        if outfit.shown and outfit.shown_items == outfit.all_items:
            return "shown"
        problems = "; ".join(outfit_storefront_problems(outfit))
        if not outfit.is_public:
            return problems
        return format_html('<span class="text-red-600">{}</span>', problems)

    @admin.action(description="Make public", permissions=["change"])
    def make_public(self, request, queryset):
        changed, refused = outfit_set_public(outfits=queryset, public=True, actor=request.user)
        message = f"{counted(changed, 'outfit')} made public."
        if refused:
            message += f" {len(refused)} left private: " + " ".join(refused)
        self.message_user(request, message, level=messages.WARNING if refused else messages.INFO)

    @admin.action(description="Make private", permissions=["change"])
    def make_private(self, request, queryset):
        changed, _ = outfit_set_public(outfits=queryset, public=False, actor=request.user)
        self.message_user(request, f"{counted(changed, 'outfit')} made private.")
