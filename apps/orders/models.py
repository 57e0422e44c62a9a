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


class OrderNote(models.Model):
    """An internal note on an order, written by a member of staff; never shown to customers."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="order_notes"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_ordernote"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "created_at"], name="ordernote_order_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="orders_ordernote_text_not_empty")
        ]

    def __str__(self):
        return f"Note on order #{self.order_id}"


class Shipment(models.Model):
    """How an order left the warehouse: written once, when it is marked shipped."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="shipment")
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    shipped_at = models.DateTimeField(auto_now_add=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "orders_shipment"

    def __str__(self):
        if not (self.carrier or self.tracking_number):
            return "no tracking"
        return " ".join(part for part in (self.carrier, self.tracking_number) if part)


class OrderEmailKind(models.TextChoices):
    PAID = "paid", "Payment received"
    SHIPPED = "shipped", "Order shipped"
    CANCELLED = "cancelled", "Order cancelled"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Gave up"


class OutboxEmail(models.Model):
    """A customer e-mail, written in the transaction that caused it and sent after commit.

    Every e-mail the shop owes a customer is a row here: sent, pending (waiting or retried by
    ``manage.py send_outbox``), skipped with a reason, or given up after repeated failures.
    """

    Kind = OrderEmailKind
    Status = OutboxStatus

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.EmailField(blank=True)
    subject = models.CharField(max_length=200)
    text_body = models.TextField()
    html_body = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    skip_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resend_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resends"
    )

    class Meta:
        db_table = "orders_outboxemail"
        ordering = ["-created_at", "-id"]
        verbose_name = "customer e-mail"
        verbose_name_plural = "customer e-mails"
        indexes = [models.Index(fields=["order", "created_at"], name="outbox_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutboxStatus.values), name="orders_outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=OutboxStatus.SKIPPED) | ~Q(recipient=""),
                name="orders_outbox_recipient_unless_skipped",
            ),
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.SENT) | Q(sent_at__isnull=False),
                name="orders_outbox_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — order #{self.order_id}"
