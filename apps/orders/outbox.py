"""Customer e-mails: written to the outbox in the transaction that causes them, sent after it
commits, retried by ``manage.py send_outbox``.

A status change never waits on, nor fails because of, the mail server: the e-mail row commits
with the status, and sending happens afterwards. Each row is sent by whoever holds its row
lock (``SKIP LOCKED``), so two senders at once — the request that committed it and the
scheduled command — send it once.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.access.policy import require
from apps.orders.models import Order, OrderEmailKind, OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

Kind = OrderEmailKind
# After this many failed attempts an e-mail is given up (status "failed"); an agent may still
# send it again from the order page.
MAX_ATTEMPTS = 10
# Sending an e-mail again is refused this soon after another copy of it (a double click).
RESEND_PAUSE = timedelta(minutes=1)

SUBJECTS = {
    Kind.PAID: "We have received your payment for order #{number}",
    Kind.SHIPPED: "Your order #{number} is on its way",
    Kind.CANCELLED: "Your order #{number} has been cancelled",
}


# Inside sending_together(): the ids of the e-mails written, sent in one go at its end.
_batch: ContextVar[list[int] | None] = ContextVar("outbox_batch", default=None)


class OutboxError(ValueError):
    """An e-mail operation the rules refuse; the message is written for a support agent."""


def skip_reason(user) -> str:
    """Why ``user`` gets no e-mail, or "" when they do."""
    if not user.is_active:
        return "The customer's account is deactivated."
    if not (user.email or "").strip():
        return "The customer has no e-mail address."
    return ""


def compose(order: Order, kind: str, *, shipment=None, reason: str = "") -> dict:
    """Subject and bodies of the e-mail ``kind`` about ``order``, in its current state."""
    kind = Kind(kind)
    lines = list(order.items.select_related("variant__product").order_by("pk"))
    context = {
        "shop": settings.SHOP_NAME,
        "order": order,
        "customer": order.user,
        "kind": kind.value,
        "lines": lines,
        "shipment": shipment,
        "reason": reason.strip(),
    }
    return {
        "subject": SUBJECTS[kind].format(number=order.pk),
        "text_body": render_to_string("orders/email/order.txt", context),
        "html_body": render_to_string("orders/email/order.html", context),
    }


def order_email_queue(*, order: Order, kind: str, actor, shipment=None, reason="") -> OutboxEmail:
    """Write the e-mail ``kind`` about ``order`` to the outbox; send it once the caller's
    transaction commits. A customer who cannot be written to gets a skipped row that says
    why, so every e-mail the shop owes is accounted for."""
    customer = order.user
    why_not = skip_reason(customer)
    email = OutboxEmail.objects.create(
        order=order,
        kind=Kind(kind),
        recipient="" if why_not else customer.email,
        status=OutboxStatus.SKIPPED if why_not else OutboxStatus.PENDING,
        skip_reason=why_not,
        created_by=actor,
        **compose(order, kind, shipment=shipment, reason=reason),
    )
    if not why_not:
        _send_after_commit(email.pk)
    return email


def _send_after_commit(pk: int) -> None:
    batch = _batch.get()
    if batch is not None:
        batch.append(pk)
    else:
        transaction.on_commit(partial(outbox_send, ids=[pk]), robust=True)


@contextmanager
def sending_together():
    """E-mails written by the several transactions of a bulk action are sent at its end, over
    one connection to the mail server, rather than one connection per order.

    Rows whose transaction rolled back no longer exist and are not sent; if the block runs
    inside a transaction, sending waits for its commit.
    """
    batch: list[int] = []
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        if batch:
            transaction.on_commit(partial(outbox_send, ids=batch), robust=True)


def outbox_send(*, ids=None, limit: int | None = None) -> dict[str, int]:
    """Send pending e-mails (those in ``ids``, or all), each at most once. Returns counts of
    "sent" and "failed" (still pending, or given up)."""
    pending = OutboxEmail.objects.filter(status=OutboxStatus.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    numbers = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    counts = {"sent": 0, "failed": 0}
    if not numbers:
        return counts
    connection = get_connection(fail_silently=False)
    try:
        connection.open()  # one session for all: the backend closes only what it opened
    except Exception as error:  # noqa: BLE001 — recorded on each e-mail, retried later
        unreachable = error
    else:
        unreachable = None
    try:
        for pk in numbers:
            outcome = _send_one(pk, connection, unreachable)
            if outcome is not None:
                counts[outcome] += 1
    finally:
        _close(connection)
    return counts


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 — a broken connection is closed as well as can be
        logger.debug("closing the mail connection failed", exc_info=True)


@transaction.atomic
def _send_one(pk: int, connection, unreachable: Exception | None) -> str | None:
    email = (
        OutboxEmail.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, status=OutboxStatus.PENDING)
        .first()
    )
    if email is None:  # sent meanwhile, or being sent by another process right now
        return None
    email.attempts += 1
    email.last_attempt_at = timezone.now()
    try:
        if unreachable is not None:
            raise unreachable  # the server could not be reached: no attempt per e-mail
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.recipient],
            connection=connection,
        )
        message.attach_alternative(email.html_body, "text/html")
        message.send()
    # Whatever the backend raises (SMTP refusals, timeouts, DNS, a missing EMAIL_URL), the
    # e-mail stays accounted for with the error, for the timeline and the next retry.
    except Exception as error:  # noqa: BLE001
        email.last_error = f"{type(error).__name__}: {error}"[:500]
        if email.attempts >= MAX_ATTEMPTS:
            email.status = OutboxStatus.FAILED
        logger.warning("customer e-mail %s not sent: %s", email.pk, email.last_error)
        email.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
        if unreachable is None:
            _close(connection)  # a session in an unknown state: the next e-mail opens anew
        return "failed"
    email.status = OutboxStatus.SENT
    email.sent_at = email.last_attempt_at
    email.last_error = ""
    email.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
    return "sent"


@transaction.atomic
def outbox_resend(*, email_id: int, actor) -> OutboxEmail:
    """Send an e-mail again, as a new outbox row with the same content, to the customer's
    address today. A pending e-mail is tried now instead (no second copy)."""
    require(actor, "orders.change_order", "send customer e-mails")
    # Locks the e-mail and its order: a double click, two agents or two tabs sending this
    # e-mail or another copy of it queue here, and the second finds the first's copy below.
    original = (
        OutboxEmail.objects.select_for_update(of=("self", "order"))
        .select_related("order__user")
        .filter(pk=email_id)
        .first()
    )
    if original is None:
        raise OutboxError(f"E-mail #{email_id} does not exist.")
    if original.status == OutboxStatus.PENDING:
        _send_after_commit(original.pk)
        return original
    recent = (
        OutboxEmail.objects.filter(
            order_id=original.order_id,
            kind=original.kind,
            created_at__gte=timezone.now() - RESEND_PAUSE,
        )
        .exclude(pk=original.pk)
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        when = timezone.localtime(recent.created_at).strftime("%H:%M:%S")
        raise OutboxError(
            f"The e-mail “{original.get_kind_display()}” of order #{original.order_id} was "
            f"written again at {when} by {recent.created_by.email}: nothing more was sent. "
            "Wait a minute before sending it once more."
        )
    customer = original.order.user
    why_not = skip_reason(customer)
    email = OutboxEmail.objects.create(
        order=original.order,
        kind=original.kind,
        recipient="" if why_not else customer.email,
        status=OutboxStatus.SKIPPED if why_not else OutboxStatus.PENDING,
        skip_reason=why_not,
        subject=original.subject,
        text_body=original.text_body,
        html_body=original.html_body,
        created_by=actor,
        resend_of=original,
    )
    if not why_not:
        _send_after_commit(email.pk)
    return email
