"""Order figures for the dashboard: each a single query over indexed columns."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.catalog.models import ProductVariant
from apps.orders.models import Order, OrderStatus, Wishlist

REVENUE_STATUSES = [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED]


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def order_summary() -> dict:
    """Orders today, in 7 and 30 days; revenue and average order value over 30 days."""
    today = _start_of_today()
    month = today - timedelta(days=29)
    earning = Q(status__in=REVENUE_STATUSES)
    figures = Order.objects.filter(created_at__gte=month).aggregate(
        today=Count("pk", filter=Q(created_at__gte=today)),
        week=Count("pk", filter=Q(created_at__gte=today - timedelta(days=6))),
        month=Count("pk"),
        revenue=Sum("total_price", filter=earning),
        average=Avg("total_price", filter=earning),
    )
    figures["revenue"] = figures["revenue"] or Decimal("0.00")
    figures["average"] = (figures["average"] or Decimal("0")).quantize(Decimal("0.01"))
    return figures


def orders_by_status() -> dict[str, int]:
    counts = dict(Order.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in OrderStatus.values}


def daily_orders(days: int = 30) -> list[dict]:
    """Per day of the last ``days``: orders placed and revenue, zero-filled."""
    first = _start_of_today() - timedelta(days=days - 1)
    rows = {
        row["day"]: row
        for row in Order.objects.filter(created_at__gte=first)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            orders=Count("pk"),
            revenue=Sum("total_price", filter=Q(status__in=REVENUE_STATUSES)),
        )
    }
    result = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).date()
        row = rows.get(day, {})
        result.append(
            {"day": day, "orders": row.get("orders", 0), "revenue": row.get("revenue") or 0}
        )
    return result


def stale_pending_orders(hours: int = 48, limit: int = 10):
    cutoff = timezone.now() - timedelta(hours=hours)
    return list(
        Order.objects.filter(status=OrderStatus.PENDING, created_at__lt=cutoff)
        .select_related("user")
        .order_by("created_at")[:limit]
    )


def most_wishlisted(limit: int = 10):
    """Counted on the wishlist table, which is small, not over every variant."""
    top = list(
        Wishlist.objects.order_by()
        .values("variant_id")
        .annotate(wishes=Count("pk"))
        .order_by("-wishes", "variant_id")[:limit]
    )
    variants = ProductVariant.objects.select_related("product").in_bulk(
        [row["variant_id"] for row in top]
    )
    result = []
    for row in top:
        variant = variants[row["variant_id"]]
        variant.wishes = row["wishes"]
        result.append(variant)
    return result
