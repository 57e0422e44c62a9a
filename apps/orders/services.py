"""The order lifecycle: placement with stock locking, status changes, cancellation.

Every entry point — the admin's buttons and bulk actions, phone orders, the benchmarks — calls
these functions, so the rules, the stock and the audit trail are the same everywhere.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.access.policy import describe, require
from apps.catalog.models import ProductVariant
from apps.catalog.services import StockError, StockReason, stock_move_for_order
from apps.orders.models import (
    CartItem,
    Order,
    OrderEmailKind,
    OrderItem,
    OrderNote,
    OrderStatus,
    Shipment,
)
from apps.orders.outbox import order_email_queue
from apps.toolkit.confirmations import Seen, digest
from apps.toolkit.guarded import guarded_write
from apps.toolkit.history import last_change

Status = OrderStatus
Kind = OrderEmailKind

ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    Status.PENDING: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.SHIPPED, Status.CANCELLED}),
    Status.SHIPPED: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
    Status.CANCELLED: frozenset(),
}


class OrderError(ValueError):
    """An order operation the rules refuse; the message is written for a support agent."""


@dataclass(frozen=True)
class Line:
    variant_id: int
    quantity: int


def allowed_targets(status: str) -> list[OrderStatus]:
    return sorted(ALLOWED_TRANSITIONS[Status(status)], key=list(Status).index)


def _merge(lines: Iterable[Line]) -> dict[int, int]:
    quantities: Counter[int] = Counter()
    for line in lines:
        if line.quantity <= 0:
            raise OrderError(f"Quantities must be at least 1 (variant #{line.variant_id}).")
        quantities[line.variant_id] += line.quantity
    if not quantities:
        raise OrderError("The order has no lines: the cart is empty.")
    return dict(quantities)


def _cart(user, session_key):
    if user is not None:
        return CartItem.objects.filter(user=user)
    if session_key:
        return CartItem.objects.filter(user__isnull=True, session_key=session_key)
    raise OrderError("Say whose cart to order from: a customer or a guest session.")


@transaction.atomic
def order_place(
    *,
    user,
    address: str,
    lines: Iterable[Line] | None = None,
    session_key: str | None = None,
    actor,
    reason: str = "Placed from the cart",
) -> Order:
    """Place an order for ``user`` from explicit ``lines``, or else from a cart.

    The cart is the customer's own, or the guest ``session_key``'s when the guest signs in at
    checkout. Variants are locked in id order, checked (active, enough stock), their stock is
    decremented and the product's base price is snapshot into each line, all in one
    transaction; the cart is emptied. Refusals raise :class:`OrderError` and change nothing.
    A customer places their own orders; anybody else (a phone order) needs
    ``orders.add_order``.
    """
    if actor is None or user is None or actor.pk != user.pk:
        require(actor, "orders.add_order", "place orders for customers")
    if not address.strip():
        raise OrderError("A delivery address is required.")
    cart = None
    if lines is None:
        cart = _cart(None if session_key else user, session_key)
        lines = [Line(item.variant_id, item.quantity) for item in cart]
    quantities = _merge(lines)
    locked = {
        variant.pk: variant
        for variant in ProductVariant.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=quantities)
        .order_by("pk")
    }
    _check_lines(quantities, locked)
    order = Order(user=user, address=normalise_lines(address), status=Status.PENDING)
    items = [
        OrderItem(variant=locked[pk], quantity=qty, price_at_purchase=locked[pk].product.base_price)
        for pk, qty in sorted(quantities.items())
    ]
    order.total_price = sum((item.line_total for item in items), Decimal("0.00"))
    order._history_user, order._change_reason = actor, reason
    order.save()
    for item in items:
        item.order = order
    bulk_create_with_history(items, OrderItem, default_user=actor, default_change_reason=reason)
    try:
        stock_move_for_order(
            deltas={pk: -qty for pk, qty in quantities.items()},
            reason=StockReason.ORDER_PLACED,
            order_id=order.pk,
            actor=actor,
            locked=locked,
        )
    except StockError as error:  # _check_lines ran under the same locks; kept as a guard
        raise OrderError(str(error)) from error
    if cart is not None:
        cart.delete()
    return order


def _check_lines(quantities: dict[int, int], locked: dict[int, ProductVariant]) -> None:
    problems = []
    for pk, qty in sorted(quantities.items()):
        variant = locked.get(pk)
        if variant is None:
            problems.append(f"variant #{pk} does not exist")
        elif not variant.is_active:
            problems.append(f"{variant.sku} is no longer sold")
        elif variant.stock_available < qty:
            problems.append(
                f"{variant.sku}: {qty} requested, only {variant.stock_available} available"
            )
    if problems:
        raise OrderError("Cannot place the order: " + "; ".join(problems) + ".")


# The customer e-mail each status sends (apps/orders/outbox.py); delivered sends none.
EMAIL_ON = {Status.PAID: Kind.PAID, Status.SHIPPED: Kind.SHIPPED, Status.CANCELLED: Kind.CANCELLED}
SHIPMENT_FIELD_MAX = 100


@transaction.atomic
def order_change_status(
    *,
    order_id: int,
    to: str,
    actor,
    reason: str = "",
    carrier: str = "",
    tracking_number: str = "",
    customer_reason: str = "",
    seen: Seen | None = None,
) -> Order:
    """Move an order along ``ALLOWED_TRANSITIONS``; cancelling puts every line back in stock.

    The order row is locked first, so of two agents clicking at once exactly one succeeds and
    the other is told what happened; a second cancel never restocks twice. Shipping records
    ``carrier`` and ``tracking_number``; paid, shipped and cancelled orders write the
    customer's e-mail to the outbox in this transaction (``customer_reason`` is what a
    cancellation e-mail tells the customer; ``reason`` stays internal).

    ``seen`` is what the agent's confirmation showed (``orders_state``): if the order changed
    since, nothing is done and :class:`~apps.toolkit.confirmations.StateChanged` says what
    changed and who changed it, so a customer never gets "Payment received" and "Order
    cancelled" for one decision.
    """
    require(actor, "orders.change_order", "change an order's status")
    to = Status(to)
    carrier, tracking_number = _one_line(carrier), _one_line(tracking_number)
    for label, value in (("carrier", carrier), ("tracking number", tracking_number)):
        _refuse_nul(value, f"The {label}")
        if len(value) > SHIPMENT_FIELD_MAX:
            raise OrderError(f"A {label} has at most {SHIPMENT_FIELD_MAX} characters.")
    _refuse_nul(reason, "The reason")
    _refuse_nul(customer_reason, "The reason for the customer")
    if (carrier or tracking_number) and to != Status.SHIPPED:
        raise OrderError("A carrier and tracking number are given when an order ships.")
    order = Order.objects.select_for_update().get(pk=order_id)
    if seen is not None:
        seen.check(orders_state([order]), partial(orders_changed_since, [order.pk]))
    current = Status(order.status)
    if to not in ALLOWED_TRANSITIONS[current]:
        raise OrderError(_refusal(order, current, to))
    if to == Status.CANCELLED:
        if not reason.strip():
            raise OrderError(f"Order #{order.pk}: say why it is cancelled.")
        stock_move_for_order(
            deltas=_line_quantities(order),
            reason=StockReason.ORDER_CANCELLED,
            order_id=order.pk,
            actor=actor,
        )
    order.status = to
    order._history_user = actor
    order._change_reason = reason.strip() or f"Marked {to.label.lower()}"
    with guarded_write(Order, "status"):
        order.save(update_fields=["status"])
    shipment = None
    if to == Status.SHIPPED:
        shipment = Shipment.objects.create(
            order=order, carrier=carrier, tracking_number=tracking_number, shipped_by=actor
        )
    if to in EMAIL_ON:
        order_email_queue(
            order=order,
            kind=EMAIL_ON[to],
            actor=actor,
            shipment=shipment,
            reason=customer_reason,
        )
    return order


def orders_state(orders) -> str:
    """What a confirmation about ``orders`` shows of them: each one's status (a digest, the
    same when the page is drawn and when it is confirmed)."""
    return digest((order.pk, order.status) for order in orders)


def orders_changed_since(order_ids, since) -> str:
    """ "order #13 was marked shipped by support@… (Support) at 14:05 (reason); …": what
    happened to these orders since ``since``, from their history."""
    records = (
        Order.history.filter(id__in=list(order_ids), history_date__gt=since)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    said = []
    for record in records[:REFUSALS_NAMED]:
        who = describe(record.history_user) if record.history_user else "the shop"
        when = timezone.localtime(record.history_date).strftime("%H:%M")
        what = (
            "was placed"
            if record.history_type == "+"
            else f"was marked {Status(record.status).label.lower()}"
        )
        why = f" ({record.history_change_reason})" if record.history_change_reason else ""
        said.append(f"order #{record.id} {what} by {who} at {when}{why}")
    return "; ".join(said) + "." if said else ""


REFUSALS_NAMED = 15


@transaction.atomic
def orders_change_status(
    *, order_ids, to: str, actor, seen: Seen | None = None, shown_ids=(), **change
) -> tuple[list[int], list[str]]:
    """Move each of ``order_ids`` to ``to`` (a bulk action): those the rules refuse stay as
    they are and each refusal is returned; the others change. Returns (changed ids, refusals).

    The orders are locked first, in id order; ``seen`` is what the confirmation showed of them
    (``orders_state``): if any changed since, nothing is done (StateChanged, naming them, and
    those of ``shown_ids``, the orders the page listed, that left the selection meanwhile).
    """
    require(actor, "orders.change_order", "change orders' status")
    locked = list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk"))
    if seen is not None:
        named = sorted({*order_ids, *shown_ids})
        seen.check(orders_state(locked), partial(orders_changed_since, named))
    done, refused = [], []
    for order in locked:
        try:
            order_change_status(order_id=order.pk, to=to, actor=actor, **change)
        except OrderError as error:
            refused.append(str(error))
        else:
            done.append(order.pk)
    return done, refused


def _one_line(value: str) -> str:
    return " ".join(str(value or "").split())


def _refuse_nul(value: str, what: str) -> None:
    # PostgreSQL cannot store NUL in text; forms refuse it already, other callers here.
    if "\x00" in value:
        raise OrderError(f"{what} holds a NUL character, which is never valid.")


def _line_quantities(order: Order) -> dict[int, int]:
    quantities: Counter[int] = Counter()
    for variant_id, quantity in order.items.values_list("variant_id", "quantity"):
        quantities[variant_id] += quantity
    return dict(quantities)


def status_refusal(order: Order, to: str) -> str:
    """Why ``order`` cannot be marked ``to`` now, with what happened last and by whom."""
    return _refusal(order, Status(order.status), Status(to))


def _refusal(order: Order, current: Status, to: Status) -> str:
    options = allowed_targets(current)
    if not options:
        next_steps = f"a {current.label.lower()} order is final"
    else:
        next_steps = "it can be marked " + " or ".join(o.label.lower() for o in options)
    return (
        f"Order #{order.pk} is {current.label.lower()}, so it cannot be marked "
        f"{to.label.lower()}: {next_steps}.{_last_change(order)}"
    )


def _last_change(order: Order) -> str:
    """ " It was marked cancelled by support@… (Support) at 27 Nov 2026 10:42 (reason)."."""
    record = order.history.select_related("history_user").order_by("-history_id").first()
    if record is None:
        return ""
    who = describe(record.history_user) if record.history_user else "the shop"
    when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
    why = f" ({record.history_change_reason})" if record.history_change_reason else ""
    return f" It was marked {Status(record.status).label.lower()} by {who} at {when}{why}."


def order_cancel(*, order_id: int, reason: str, actor) -> Order:
    return order_change_status(order_id=order_id, to=Status.CANCELLED, actor=actor, reason=reason)


# Until it ships, an order's parcel is still in the warehouse and can go somewhere else.
ADDRESS_CHANGEABLE = frozenset({Status.PENDING, Status.PAID})
ADDRESS_MAX_LENGTH = 1000


class AddressConflict(OrderError):
    """The address changed between the page an agent saw and their save."""


def normalise_lines(text: str) -> str:
    """One spelling for text typed in a browser (CRLF) or stored by the shop (LF): an
    address, a note."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines).strip()


# Letters Unicode calls letters but that print as nothing (Hangul fillers).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _visible(character: str) -> bool:
    return character.isalnum() and character not in _INVISIBLE_LETTERS


def address_refusal(order: Order) -> str | None:
    """Why the address of ``order`` can no longer change, or None if it can."""
    if order.status in ADDRESS_CHANGEABLE:
        return None
    status = Status(order.status).label.lower()
    return (
        f"Order #{order.pk} is {status}, so its delivery address can no longer change: "
        "only pending and paid orders, which have not left the warehouse, can be redirected."
    )


@transaction.atomic
def order_change_address(
    *, order_id: int, address: str, seen: str, actor, reason: str = ""
) -> Order:
    """Send an order that has not shipped yet to ``address``.

    ``seen`` is the address the agent's page showed. Under the order's row lock it must still
    be the order's address: if a colleague changed it meanwhile, nothing is written and
    :class:`AddressConflict` says who and what. The old address stays in the history.
    """
    require(actor, "orders.change_order", "change an order's delivery address")
    address = normalise_lines(address)
    _refuse_nul(address, "The address")
    if not any(_visible(character) for character in address):  # blank, or only invisible
        raise OrderError("Enter the new delivery address.")
    if len(address) > ADDRESS_MAX_LENGTH:
        raise OrderError(f"An address has at most {ADDRESS_MAX_LENGTH} characters.")
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderError(f"Order #{order_id} does not exist.")
    refusal = address_refusal(order)
    if refusal:
        raise OrderError(refusal)
    if normalise_lines(order.address) != normalise_lines(seen):
        raise AddressConflict(
            f"The delivery address of order #{order.pk} was changed while you were editing"
            f"{last_change(order)}; it is now “{order.address}”. Enter yours again if it "
            "should replace it."
        )
    if address == normalise_lines(order.address):
        return order
    order.address = address
    order._history_user = actor
    order._change_reason = reason.strip() or "Delivery address changed"
    with guarded_write(Order, "address"):
        order.save(update_fields=["address"])
    return order


NOTE_MAX_LENGTH = 2000


@transaction.atomic
def order_add_note(*, order_id: int, text: str, actor) -> OrderNote:
    """An internal note on an order, signed by ``actor``; customers never see it."""
    require(actor, "orders.change_order", "write notes on orders")
    text = normalise_lines(text)  # one spelling of line breaks, no edge blanks
    _refuse_nul(text, "The note")
    if not any(_visible(character) for character in text):
        raise OrderError("Write the note first: it is empty.")
    if len(text) > NOTE_MAX_LENGTH:
        raise OrderError(f"A note has at most {NOTE_MAX_LENGTH} characters.")
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise OrderError(f"Order #{order_id} does not exist.")
    return OrderNote.objects.create(order=order, author=actor, text=text)


@transaction.atomic
def order_ship_many(*, shipments, actor) -> list[int]:
    """Ship every order of ``shipments`` (rows with ``order_id``, ``carrier``,
    ``tracking_number``, ``row``) or none: one refusal undoes the whole file."""
    shipped = []
    for row in shipments:
        try:
            order_change_status(
                order_id=row.order_id,
                to=Status.SHIPPED,
                actor=actor,
                reason="Shipped (from a file)",
                carrier=row.carrier,
                tracking_number=row.tracking_number,
            )
        except OrderError as error:
            raise OrderError(f"Nothing was shipped. Row {row.row}: {error}") from error
        shipped.append(row.order_id)
    return shipped
