from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.catalog.models import ProductVariant
from apps.toolkit.guarded import TrackedModel


class Wishlist(models.Model):
    """A variant a customer saved for later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist"
    )
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="wishlisted_by"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_wishlist"
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "variant"], name="orders_wishlist_user_variant_uniq"
            ),
        ]

    def __str__(self):
        return f"{self.user} ♥ {self.variant.sku}"


class CartItem(models.Model):
    """A line in a cart, owned by a customer or, for guests, by a session."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart_items",
    )
    # NULL, not "", for a customer's cart: the shop's existing rows use NULL for "no session".
    session_key = models.CharField(  # noqa: DJ001
        max_length=40, null=True, blank=True, db_index=True
    )
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="cart_items")
    quantity = models.IntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_cartitem"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_cartitem_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | (Q(session_key__isnull=False) & ~Q(session_key="")),
                name="orders_cartitem_has_owner",
                violation_error_message="A cart item belongs to a customer or a guest session.",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant.sku}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class Order(TrackedModel):
    Status = OrderStatus

    # PROTECT: deleting a customer must never erase their orders (financial records).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    total_price = models.DecimalField(max_digits=10, decimal_places=2)
    address = models.TextField(help_text="Delivery address, as given when the order was placed.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    # The status moves only through the order lifecycle (apps/orders/services.py); a trigger
    # refuses any move ALLOWED_TRANSITIONS does not list, whoever writes the row. The address
    # changes only through order_change_address (before shipping, checked against what the
    # agent's page showed).
    guarded_fields = ("status", "address")

    class Meta:
        db_table = "orders_order"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "status"], name="order_user_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values),
                name="orders_order_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(total_price__gte=0), name="orders_order_total_price_gte_0"
            ),
        ]

    def __str__(self):
        return f"Order #{self.pk}"


class OrderItem(TrackedModel):
    """A line of an order, with the price the customer actually paid."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # PROTECT: a variant that was sold cannot be deleted (deactivate it instead).
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.PROTECT, related_name="order_items"
    )
    quantity = models.IntegerField()
    price_at_purchase = models.DecimalField(max_digits=10, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        db_table = "orders_orderitem"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="orders_orderitem_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(price_at_purchase__gte=0), name="orders_orderitem_price_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant.sku}"

    @property
    def line_total(self):
        return self.quantity * self.price_at_purchase


class MostWishlisted(ProductVariant):
    """Variants seen through their wishlists, for merchandising (a read-only admin list)."""

    class Meta:
        proxy = True
        verbose_name = "most-wishlisted variant"
        verbose_name_plural = "most-wishlisted variants"
