"""Order export for accounting: one row per order line (export only)."""

from import_export import fields, resources

from apps.orders.models import OrderItem


class OrderLineExportResource(resources.ModelResource):
    order = fields.Field(attribute="order_id", column_name="order")
    placed = fields.Field(attribute="order__created_at", column_name="placed")
    status = fields.Field(attribute="order__status", column_name="status")
    customer = fields.Field(attribute="order__user__email", column_name="customer")
    address = fields.Field(attribute="order__address", column_name="address")
    sku = fields.Field(attribute="variant__sku", column_name="sku")
    product = fields.Field(attribute="variant__product__name", column_name="product")
    size = fields.Field(column_name="size")
    colour = fields.Field(attribute="variant__color", column_name="colour")
    quantity = fields.Field(attribute="quantity", column_name="quantity")
    price = fields.Field(attribute="price_at_purchase", column_name="price_at_purchase")
    line_total = fields.Field(attribute="line_total", column_name="line_total")
    order_total = fields.Field(attribute="order__total_price", column_name="order_total")

    class Meta:
        model = OrderItem
        name = "Order lines (one row per line)"
        fields = [
            "order",
            "placed",
            "status",
            "customer",
            "address",
            "sku",
            "product",
            "size",
            "colour",
            "quantity",
            "price",
            "line_total",
            "order_total",
        ]
        export_order = fields

    def dehydrate_size(self, item):
        return item.variant.get_size_display()

    def dehydrate_placed(self, item):
        return item.order.created_at.isoformat(timespec="seconds")

    def get_queryset(self):
        return OrderItem.objects.select_related("order__user", "variant__product").order_by(
            "order_id", "pk"
        )

    def filter_export(self, queryset, **kwargs):
        # The admin exports the orders in its filtered list; their lines go out.
        if queryset.model is not OrderItem:
            return self.get_queryset().filter(order__in=queryset.values("pk"))
        return queryset
