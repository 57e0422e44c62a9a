from datetime import timedelta

from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.timesince import timesince
from unfold.admin import ModelAdmin
from unfold.decorators import display

from apps.access.modeladmin import ScopedAdmin
from apps.orders.models import CartItem, MostWishlisted, Wishlist
from apps.toolkit.admin_helpers import EstimatedCountPaginator


class ReadOnlyAdmin(ScopedAdmin, ModelAdmin):
    """Support looks at carts and wishlists; customers change them in the shop."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CartOwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("customer", "Customers"), ("guest", "Guests (by session)")]

    def queryset(self, request, queryset):
        if self.value() == "customer":
            return queryset.filter(user__isnull=False)
        if self.value() == "guest":
            return queryset.filter(user__isnull=True)
        return queryset


class AbandonedFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "older_than"
    DAYS = {"1d": 1, "7d": 7, "30d": 30}

    def lookups(self, request, model_admin):
        return [
            ("1d", "Older than a day"),
            ("7d", "Older than a week"),
            ("30d", "Older than 30 days"),
        ]

    def queryset(self, request, queryset):
        if self.value() in self.DAYS:
            cutoff = timezone.now() - timedelta(days=self.DAYS[self.value()])
            return queryset.filter(created_at__lt=cutoff)
        return queryset


@admin.register(CartItem)
class CartItemAdmin(ReadOnlyAdmin):
    list_display = ["owner", "sku", "product", "quantity", "stock", "age"]
    list_select_related = ["user", "variant__product"]
    list_filter = [CartOwnerFilter, AbandonedFilter]
    search_fields = ["user__email", "=session_key", "=variant__sku"]
    search_help_text = "Customer e-mail, guest session key or exact SKU."
    ordering = ["created_at"]

    @display(description="Cart of", ordering="user__email")
    def owner(self, item):
        return item.user.email if item.user_id else f"Guest {item.session_key[:12]}…"

    @display(description="SKU", ordering="variant__sku")
    def sku(self, item):
        return item.variant.sku

    @display(description="Product")
    def product(self, item):
        return item.variant.product.name

    @display(description="In stock")
    def stock(self, item):
        return item.variant.stock_available

    @display(description="Added", ordering="created_at")
    def age(self, item):
        return f"{timesince(item.created_at)} ago"


@admin.register(Wishlist)
class WishlistAdmin(ReadOnlyAdmin):
    account_field = "user"
    list_display = ["user", "variant", "added_at"]
    list_select_related = ["user", "variant"]
    search_fields = ["user__email", "=variant__sku"]
    ordering = ["-added_at"]


@admin.register(MostWishlisted)
class MostWishlistedAdmin(ReadOnlyAdmin):
    """The variants customers want most, with the stock to sell them."""

    list_display = ["sku", "product_name", "size", "color", "wishes", "stock_available"]
    list_select_related = ["product"]
    search_fields = ["=sku"]

    def get_queryset(self, request):
        # Not the admin's get_queryset: it orders before this annotates, and the order is by
        # the annotation (get_ordering). Without it the list would fall back to the variant's
        # own order (product, size, colour), not the wishes.
        return (
            self.model._default_manager.get_queryset()
            # Only variants somebody wishes for: a semi-join on the small wishlist table.
            .filter(pk__in=Wishlist.objects.values("variant_id"))
            .annotate(wish_total=Count("wishlisted_by"))
            .filter(wish_total__gt=0)
        )

    def get_ordering(self, request):
        return ["-wish_total", "pk"]

    @display(description="Product", ordering="product__name")
    def product_name(self, variant):
        return variant.product.name

    @display(description="Wishlisted by", ordering="wish_total")
    def wishes(self, variant):
        return variant.wish_total
