"""The order desk's rules: notes, shipments, customer e-mails through the outbox, the timeline.

E-mails go through Django's real backends: the locmem outbox where only the content matters,
and a real SMTP server on localhost (tests/smtp.py) where sending itself is the subject.
"""

from decimal import Decimal
from functools import partial

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from apps.access.policy import ActorNotAllowed
from apps.catalog.models import ProductVariant
from apps.orders.models import Order, OrderNote, OutboxEmail, Shipment
from apps.orders.outbox import MAX_ATTEMPTS, OutboxError, outbox_resend, outbox_send
from apps.orders.selectors import order_timeline
from apps.orders.services import (
    Line,
    OrderError,
    order_add_note,
    order_cancel,
    order_change_status,
    order_place,
)
from tests.actors import staff, system
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.race import race
from tests.smtp import SMTPTestServer

ADDRESS = "Flat 2\n14 Rose Street\nYork YO1 7HH"


def placed_order(email="amina@example.com", **user_fields):
    sku = "ABY-M-SND" if email == "amina@example.com" else f"ABY-{email.split('@')[0]}"
    customer = UserFactory(email=email, first_name="Amina", **user_fields)
    product = ProductFactory(name="Linen Abaya", base_price=Decimal("79.00"))
    variant = VariantFactory(product=product, sku=sku, color="Sand", size=2, stock_available=5)
    order = order_place(user=customer, address=ADDRESS, lines=[Line(variant.pk, 2)], actor=system())
    return order, variant


# E-mails are written with the status, sent after commit ----------------------------------


@pytest.mark.django_db
def test_the_email_is_written_in_the_transaction_and_sent_only_after_commit(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
    email = OutboxEmail.objects.get(order=order)
    assert (email.kind, email.status, email.recipient) == ("paid", "pending", "amina@example.com")
    assert mail.outbox == []  # not before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["amina@example.com"]
    assert sent.subject == f"We have received your payment for order #{order.pk}"
    html = sent.alternatives[0][0]
    for text in ("ModestWear", "Linen Abaya", "Sand", "158.00", "Dear Amina"):
        assert text in sent.body and text in html
    email.refresh_from_db()
    assert email.status == "sent" and email.sent_at is not None and email.attempts == 1


@pytest.mark.django_db
def test_a_status_change_rolled_back_leaves_no_email_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
            raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and mail.outbox == []
    assert not OutboxEmail.objects.exists()
    assert Order.objects.get(pk=order.pk).status == "pending"


@pytest.mark.django_db
def test_delivered_sends_nothing_paid_shipped_and_cancelled_each_send_one(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    other, _ = placed_order(email="other@example.com")
    agent = staff("Support")
    with django_capture_on_commit_callbacks(execute=True):
        for to in ("paid", "shipped", "delivered"):
            order_change_status(order_id=order.pk, to=to, actor=agent)
        order_cancel(order_id=other.pk, reason="fraud check failed", actor=agent)
    kinds = sorted(OutboxEmail.objects.values_list("order_id", "kind"))
    assert kinds == sorted([(order.pk, "paid"), (order.pk, "shipped"), (other.pk, "cancelled")])
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_cancellation_tells_the_customer_the_reason_meant_for_them_only(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(
            order_id=order.pk,
            to="cancelled",
            actor=staff("Support"),
            reason="suspected fraud, card flagged",
            customer_reason="The item is no longer available in your size.",
        )
    sent = mail.outbox[0]
    assert "The item is no longer available in your size." in sent.body
    assert "suspected fraud" not in sent.body
    assert "suspected fraud" not in sent.alternatives[0][0]


@pytest.mark.django_db
def test_customer_text_is_escaped_in_the_html_email_and_kept_as_typed_in_the_text():
    order, _ = placed_order()
    type(order.user).objects.filter(pk=order.user_id).update(first_name="<b>Bold</b>")
    order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
    email = OutboxEmail.objects.get(order=order)
    assert "<b>Bold</b>" not in email.html_body
    assert "Dear &lt;b&gt;Bold&lt;/b&gt;" in email.html_body
    assert "Dear <b>Bold</b>" in email.text_body


# Customers who cannot be written to are skipped, with the reason --------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"is_active": False}, "The customer's account is deactivated."),
        ({"email": ""}, "The customer has no e-mail address."),
    ],
)
def test_an_email_the_customer_cannot_get_is_skipped_with_the_reason(
    change, reason, django_capture_on_commit_callbacks
):
    order, _ = placed_order()
    type(order.user).objects.filter(pk=order.user_id).update(**change)
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
    email = OutboxEmail.objects.get(order=order)
    assert (email.status, email.skip_reason, email.recipient) == ("skipped", reason, "")
    assert mail.outbox == []
    assert Order.objects.get(pk=order.pk).status == "paid"
    events = [e for e in order_timeline(order) if e.kind == "email"]
    assert events[0].detail == f"Not sent: {reason}"


# A real SMTP server: failures, retries, two senders ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_leaves_the_status_changed_and_the_email_pending(settings):
    order, _ = placed_order()
    with SMTPTestServer(mode="refuse") as server:
        server.use_in(settings)
        order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
    assert Order.objects.get(pk=order.pk).status == "paid"
    email = OutboxEmail.objects.get(order=order)
    assert (email.status, email.attempts) == ("pending", 1)
    assert "451" in email.last_error and "try again later" in email.last_error
    event = next(e for e in order_timeline(order) if e.kind == "email")
    assert "1 failed attempt" in event.detail and "451" in event.detail


@pytest.mark.django_db(transaction=True)
def test_send_outbox_retries_what_failed_and_sends_it_exactly_once(settings, capsys):
    order, _ = placed_order()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))  # nobody listens
    assert OutboxEmail.objects.get(order=order).status == "pending"
    with SMTPTestServer() as server:
        server.use_in(settings)
        call_command("send_outbox")
        call_command("send_outbox")  # nothing left: a second run sends nothing again
    assert len(server.messages) == 1
    assert b"Linen Abaya" in server.messages[0]
    email = OutboxEmail.objects.get(order=order)
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert "1 sent, 0 failed, 0 still waiting" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_send_outbox_exits_non_zero_while_the_server_refuses_and_gives_up_in_the_end(settings):
    order, _ = placed_order()
    with SMTPTestServer(mode="refuse") as server:
        server.use_in(settings)
        order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
        for _ in range(MAX_ATTEMPTS - 2):
            with pytest.raises(SystemExit):
                call_command("send_outbox")
        assert OutboxEmail.objects.get(order=order).status == "pending"
        with pytest.raises(SystemExit):
            call_command("send_outbox")
    email = OutboxEmail.objects.get(order=order)
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)
    assert outbox_send() == {"sent": 0, "failed": 0}  # given up: no longer retried


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once(settings):
    orders = [placed_order(email=f"c{i}@example.com")[0] for i in range(3)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for order in orders:
        order_change_status(order_id=order.pk, to="paid", actor=system())
    OutboxEmail.objects.update(status="pending", sent_at=None)  # as if the first try failed
    with SMTPTestServer(delay=0.3) as server:
        server.use_in(settings)
        outcomes = race(outbox_send, outbox_send)
    assert len(server.messages) == 3
    assert sum(result["sent"] for _, result in outcomes) == 3, outcomes
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_a_bulk_action_sends_its_emails_at_its_end_over_one_connection(settings, client_as):
    from django.urls import reverse

    orders = [placed_order(email=f"b{i}@example.com")[0] for i in range(3)]
    with SMTPTestServer() as server:
        server.use_in(settings)
        client_as("support").post(
            reverse("admin:orders_order_changelist"),
            {"action": "bulk_mark_paid", "_selected_action": [o.pk for o in orders]},
        )
    assert len(server.messages) == 3 and server.connections == 1
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


# Sending again ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_again_writes_a_new_email_with_the_same_content(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    agent = staff("Support")
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="paid", actor=agent)
    first = OutboxEmail.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        again = outbox_resend(email_id=first.pk, actor=agent)
    again.refresh_from_db()
    assert again.pk != first.pk and again.resend_of_id == first.pk
    assert (again.subject, again.html_body) == (first.subject, first.html_body)
    assert again.status == "sent" and len(mail.outbox) == 2


@pytest.mark.django_db
def test_sending_again_twice_in_a_row_sends_one_copy_and_says_who_did(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="paid", actor=system())
    first = OutboxEmail.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resend(email_id=first.pk, actor=staff("Support", "one@modestwear.example"))
    with pytest.raises(OutboxError, match="written again at .* by one@modestwear.example"):
        outbox_resend(email_id=first.pk, actor=staff("Support"))
    copy = OutboxEmail.objects.exclude(pk=first.pk).get()
    with pytest.raises(OutboxError):  # the copy's own "send again" is the same e-mail
        outbox_resend(email_id=copy.pk, actor=staff("Support"))
    assert OutboxEmail.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_agents_sending_the_same_email_again_at_once_send_one_copy():
    from datetime import timedelta

    from django.utils import timezone

    order, _ = placed_order()
    order_change_status(order_id=order.pk, to="paid", actor=system())
    first = OutboxEmail.objects.get(order=order)
    older_copy = outbox_resend(email_id=first.pk, actor=system())
    # Both written long ago; one agent clicks "send again" on the first, one on the copy.
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(hours=1), status="sent")
    agent = staff("Support")
    outcomes = race(
        *(partial(outbox_resend, email_id=pk, actor=agent) for pk in (first.pk, older_copy.pk))
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert OutboxEmail.objects.count() == 3


@pytest.mark.django_db
def test_sending_a_pending_email_again_sends_it_now_without_a_copy(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    with django_capture_on_commit_callbacks(execute=False):
        order_change_status(order_id=order.pk, to="paid", actor=system())
    pending = OutboxEmail.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resend(email_id=pending.pk, actor=staff("Support"))
    assert OutboxEmail.objects.count() == 1
    assert OutboxEmail.objects.get().status == "sent" and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_skipped_email_sent_again_reaches_a_customer_who_can_now_receive_it(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="paid", actor=system())
    skipped = OutboxEmail.objects.get(order=order)
    assert skipped.status == "skipped"
    type(order.user).objects.filter(pk=order.user_id).update(is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = outbox_resend(email_id=skipped.pk, actor=staff("Support"))
    again.refresh_from_db()
    assert again.status == "sent" and mail.outbox[0].to == ["amina@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Warehouse", "Merchandising"])
def test_only_roles_that_change_orders_send_emails_or_write_notes(role):
    order, _ = placed_order()
    order_change_status(order_id=order.pk, to="paid", actor=system())
    email = OutboxEmail.objects.get(order=order)
    outsider = staff(role)
    with pytest.raises(ActorNotAllowed):
        outbox_resend(email_id=email.pk, actor=outsider)
    with pytest.raises(ActorNotAllowed):
        order_add_note(order_id=order.pk, text="hello", actor=outsider)
    assert OutboxEmail.objects.count() == 1 and not OrderNote.objects.exists()


# Shipments ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_shipping_records_carrier_and_tracking_and_the_email_carries_them(
    django_capture_on_commit_callbacks,
):
    order, _ = placed_order()
    agent = staff("Support")
    order_change_status(order_id=order.pk, to="paid", actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(
            order_id=order.pk,
            to="shipped",
            actor=agent,
            carrier="  Royal   Mail ",
            tracking_number="RM123456785GB",
        )
    shipment = Shipment.objects.get(order=order)
    assert (shipment.carrier, shipment.tracking_number, shipment.shipped_by) == (
        "Royal Mail",
        "RM123456785GB",
        agent,
    )
    body = mail.outbox[-1].body
    assert "Carrier: Royal Mail" in body and "Tracking number: RM123456785GB" in body


@pytest.mark.django_db
def test_a_parcel_without_tracking_is_said_so_in_the_email(django_capture_on_commit_callbacks):
    order, _ = placed_order()
    order_change_status(order_id=order.pk, to="paid", actor=system())
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="shipped", actor=system())
    assert str(Shipment.objects.get(order=order)) == "no tracking"
    assert "without a tracking number" in mail.outbox[-1].body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": "paid", "tracking_number": "X1"}, "given when an order ships"),
        ({"to": "shipped", "tracking_number": "X" * 101}, "at most 100 characters"),
        ({"to": "shipped", "carrier": "DHL\x00"}, "NUL character"),
        ({"to": "shipped", "reason": "late\x00"}, "NUL character"),
    ],
)
def test_shipment_details_that_cannot_be_stored_are_refused_and_nothing_changes(fields, message):
    order, _ = placed_order()
    if fields["to"] == "shipped":
        order_change_status(order_id=order.pk, to="paid", actor=system())
    before = Order.objects.get(pk=order.pk).status
    emails = OutboxEmail.objects.count()
    with pytest.raises(OrderError, match=message):
        order_change_status(order_id=order.pk, actor=system(), **fields)
    assert Order.objects.get(pk=order.pk).status == before
    assert not Shipment.objects.exists() and OutboxEmail.objects.count() == emails


# Notes and the timeline -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n  ", "empty"),
        ("\u3164", "empty"),  # a Hangul filler prints as nothing
        ("x" * 2001, "at most 2000"),
        ("bad\x00byte", "NUL"),
    ],
)
def test_a_note_that_says_nothing_or_cannot_be_stored_is_refused(text, message):
    order, _ = placed_order()
    with pytest.raises(OrderError, match=message):
        order_add_note(order_id=order.pk, text=text, actor=staff("Support"))
    assert not OrderNote.objects.exists()


@pytest.mark.django_db
def test_the_timeline_tells_the_orders_life_newest_first(django_capture_on_commit_callbacks):
    order, variant = placed_order()
    agent = staff("Support", "agent@modestwear.example")
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="paid", actor=agent, reason="PAY-9")
        order_add_note(order_id=order.pk, text="Customer asked for\r\ngift wrap", actor=agent)
        order_cancel(order_id=order.pk, reason="customer changed her mind", actor=agent)
    events = order_timeline(order)
    assert [(e.kind, e.title) for e in events] == [
        ("email", "E-mail “Order cancelled”"),
        ("status", "Marked cancelled"),
        ("stock", "Stock given back"),
        ("note", "Note"),
        ("email", "E-mail “Payment received”"),
        ("status", "Marked paid"),
        ("stock", "Stock taken"),
        ("placed", "Placed"),
    ]
    by_title = {e.title: e for e in events}
    assert by_title["Note"].detail == "Customer asked for\ngift wrap"
    assert by_title["Note"].by == "agent@modestwear.example"
    assert by_title["Marked paid"].detail == "PAY-9"
    assert by_title["Stock taken"].detail == "ABY-M-SND −2 (now 3)"
    assert by_title["Stock given back"].detail == "ABY-M-SND +2 (now 5)"
    assert by_title["E-mail “Payment received”"].detail == "Sent to amina@example.com."
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 5


@pytest.mark.django_db
def test_the_timeline_shows_the_shipment_and_an_address_change_with_the_old_address():
    from apps.orders.services import order_change_address

    order, _ = placed_order()
    agent = staff("Support")
    order_change_address(order_id=order.pk, address="1 New Road\nHull", seen=ADDRESS, actor=agent)
    order_change_status(order_id=order.pk, to="paid", actor=agent)
    order_change_status(
        order_id=order.pk, to="shipped", actor=agent, carrier="DPD", tracking_number="15501234"
    )
    by_title = {e.title: e for e in order_timeline(Order.objects.get(pk=order.pk))}
    assert by_title["Address changed"].detail.startswith(f"Was: {ADDRESS}")
    assert by_title["Marked shipped"].detail == "Shipment: DPD 15501234"


@pytest.mark.django_db
def test_another_orders_stock_moves_stay_out_of_the_timeline():
    order, variant = placed_order()
    other = order_place(
        user=order.user, address=ADDRESS, lines=[Line(variant.pk, 1)], actor=system()
    )
    OrderItemFactory(order=order)  # a line whose variant never moved stock for this order
    titles = [e.title for e in order_timeline(order) if e.kind == "stock"]
    assert titles == ["Stock taken"]
    (taken,) = [e for e in order_timeline(other) if e.kind == "stock"]
    assert taken.detail == "ABY-M-SND −1 (now 2)"


@pytest.mark.django_db
def test_a_plain_order_with_nothing_else_has_a_timeline_too():
    order = OrderFactory()
    assert [e.kind for e in order_timeline(order)] == ["placed"]


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["-1", "0", "abc", "٣"])
def test_send_outbox_refuses_a_limit_that_is_not_a_count(limit):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a number of e-mails"):
        call_command("send_outbox", "--limit", limit)


@pytest.mark.django_db
def test_send_outbox_sends_at_most_its_limit(django_capture_on_commit_callbacks):
    for i in range(3):
        order, _ = placed_order(email=f"l{i}@example.com")
        with django_capture_on_commit_callbacks(execute=False):
            order_change_status(order_id=order.pk, to="paid", actor=system())
    call_command("send_outbox", "--limit", "2")
    assert len(mail.outbox) == 2
    assert OutboxEmail.objects.filter(status="pending").count() == 1
