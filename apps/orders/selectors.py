"""Order reads with a shape: the dashboard's figures (each a single query over indexed
columns), an order's timeline, a customer's history."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.access.policy import is_system
from apps.catalog.models import ProductVariant
from apps.catalog.services import StockReason, order_stock_reasons
from apps.orders.models import (
    CartItem,
    Order,
    OrderNote,
    OrderStatus,
    OutboxEmail,
    OutboxStatus,
    Shipment,
    Wishlist,
)
from apps.toolkit.search import search_text
from apps.users.models import User

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


def emails_not_sent(limit: int = 10) -> list[OutboxEmail]:
    """Customer e-mails the mail server refused (still retried, or given up), newest first."""
    failing = Q(status=OutboxStatus.FAILED) | Q(status=OutboxStatus.PENDING, attempts__gt=0)
    return list(OutboxEmail.objects.filter(failing).order_by("-created_at", "-id")[:limit])


# An order's timeline ----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # placed, status, address, note, stock, email
    title: str
    detail: str = ""
    by: str = ""
    outcome: str = ""  # for e-mails: pending, sent, skipped, failed
    email_id: int | None = None


def _who(user) -> str:
    if user is None:
        return "the shop"
    return "the system" if is_system(user) else user.email


def order_timeline(order: Order) -> list[Event]:
    """Everything that happened to ``order``, newest first: placement, status and address
    changes (from its history), notes, stock taken and given back, customer e-mails. Five
    queries, however long the order's life."""
    events = _history_events(order) + _stock_events(order)
    events += [
        Event(note.created_at, "note", "Note", note.text, _who(note.author))
        for note in OrderNote.objects.filter(order=order).select_related("author")
    ]
    emails = OutboxEmail.objects.filter(order=order).select_related("created_by")
    events += [_email_event(email) for email in emails]
    return sorted(events, key=lambda event: event.when, reverse=True)


def _history_events(order: Order) -> list[Event]:
    records = list(order.history.select_related("history_user").order_by("history_id"))
    try:
        shipment = order.shipment  # cached on the order: the page shows it too
    except Shipment.DoesNotExist:
        shipment = None
    events, previous = [], None
    for record in records:
        who, why = _who(record.history_user), record.history_change_reason or ""
        if previous is None:
            events.append(Event(record.history_date, "placed", "Placed", why, who))
        elif record.status != previous.status:
            label = OrderStatus(record.status).label.lower()
            detail = why if why != f"Marked {label}" else ""
            if record.status == OrderStatus.SHIPPED and shipment is not None:
                detail = "\n".join(filter(None, [f"Shipment: {shipment}", detail]))
            events.append(Event(record.history_date, "status", f"Marked {label}", detail, who))
        elif record.address != previous.address:
            detail = f"Was: {previous.address}" + (f"\n{why}" if why else "")
            events.append(Event(record.history_date, "address", "Address changed", detail, who))
        previous = record
    return events


def _stock_events(order: Order) -> list[Event]:
    reasons = order_stock_reasons(order.pk)
    quantities = dict(order.items.values_list("variant_id", "quantity"))
    records = (
        ProductVariant.history.filter(id__in=quantities, history_change_reason__in=reasons)
        .select_related("history_user")
        .order_by("history_date", "sku")
    )
    grouped: dict[str, list] = {}
    for record in records:
        grouped.setdefault(record.history_change_reason, []).append(record)
    events = []
    for text, group in grouped.items():
        back = reasons[text] == StockReason.ORDER_CANCELLED
        lines = [
            f"{r.sku} {'+' if back else '−'}{quantities[r.id]} (now {r.stock_available})"
            for r in group
        ]
        title = "Stock given back" if back else "Stock taken"
        events.append(
            Event(
                group[0].history_date, "stock", title, ", ".join(lines), _who(group[0].history_user)
            )
        )
    return events


def email_outcome(email: OutboxEmail) -> str:
    """What became of a customer e-mail, in a sentence."""
    if email.status == OutboxStatus.SENT:
        return f"Sent to {email.recipient}."
    if email.status == OutboxStatus.SKIPPED:
        return f"Not sent: {email.skip_reason}"
    tries = f"{email.attempts} failed attempt{'s' if email.attempts != 1 else ''}"
    if email.status == OutboxStatus.FAILED:
        return f"Gave up after {tries}: {email.last_error}"
    if email.attempts:
        return f"Waiting to be sent to {email.recipient}; {tries}, last: {email.last_error}"
    return f"Waiting to be sent to {email.recipient}."


def _email_event(email: OutboxEmail) -> Event:
    title = f"E-mail “{email.get_kind_display()}”" + (" sent again" if email.resend_of_id else "")
    return Event(
        email.created_at,
        "email",
        title,
        email_outcome(email),
        _who(email.created_by),
        outcome=email.status,
        email_id=email.pk,
    )


# A customer's history ---------------------------------------------------------------------


def customer_addresses(user) -> list[dict]:
    """The delivery addresses a customer's orders went to, most recent first, with how many
    orders used each."""
    return list(
        Order.objects.filter(user=user)
        .order_by()
        .values("address")
        .annotate(orders=Count("pk"), last=Max("created_at"))
        .order_by("-last")
    )


def customer_cart(user):
    return list(CartItem.objects.filter(user=user).select_related("variant__product"))


def customer_wishlist(user):
    return list(Wishlist.objects.filter(user=user).select_related("variant__product"))


def customer_notes(user, limit: int = 50):
    return list(
        OrderNote.objects.filter(order__user=user)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )


# Phone orders: which customer ------------------------------------------------------------


def phone_customers():
    """Who a phone order may be for: active customers (staff and the system account do not
    order)."""
    return User.objects.filter(is_staff=False, is_superuser=False, is_active=True)


def customers_matching(text: str, limit: int = 6) -> list:
    """Customers for what an agent typed: by the start of the e-mail address ("sara.s",
    "sara.s@"), or by every word found in the first or last name ("sara sidd"); at most
    ``limit``, by name."""
    text = search_text(text)
    if not text:
        return []
    if "@" in text:
        wanted = Q(email__istartswith=text)
    else:
        words = text.split()[:5]
        wanted = Q()
        for word in words:
            wanted &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if len(words) == 1:  # "aisha.rahman": the start of an address, before its "@"
            wanted |= Q(email__istartswith=text)
    customers = phone_customers().filter(wanted)
    return list(customers.order_by("last_name", "first_name", "pk")[:limit])
