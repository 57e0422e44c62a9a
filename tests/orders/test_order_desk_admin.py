"""The order desk's pages: notes, the ship prompt, e-mails, packing slips, the customer page."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.orders.models import Order, OrderNote, OutboxEmail, Shipment
from apps.orders.services import order_add_note, order_change_status
from tests.actors import system
from tests.factories import (
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    WishlistFactory,
)
from tests.pages import form_of, post_form

pytestmark = pytest.mark.django_db


def order_url(order, page="change"):
    return reverse(f"admin:orders_order_{page}", args=[order.pk])


def order_with_line(status="pending", sku="HJB-L-OLV", **fields):
    order = OrderFactory(status=status, **fields)
    product = ProductFactory(name="Jersey Hijab", base_price=Decimal("19.50"))
    variant = VariantFactory(product=product, sku=sku, size=3, color="Olive")
    OrderItemFactory(order=order, variant=variant, quantity=3, price_at_purchase=Decimal("17.25"))
    return order


def test_a_note_added_on_the_order_page_appears_in_its_timeline(client_as):
    client = client_as("support")
    order = order_with_line()
    response = client.post(
        order_url(order, "add_note"), {"text": "Rang the customer\r\nno answer"}, follow=True
    )
    text = response.content.decode()
    assert f"Note added to order #{order.pk}." in text
    assert "Rang the customer<br>no answer" in text
    note = OrderNote.objects.get()
    assert note.text == "Rang the customer\nno answer" and note.author.email.startswith("support")


def test_an_empty_note_is_refused_on_the_page_and_nothing_is_written(client_as):
    client = client_as("support")
    order = order_with_line()
    response = client.post(order_url(order, "add_note"), {"text": "   "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not OrderNote.objects.exists()


def test_mark_shipped_asks_for_carrier_and_tracking_before_shipping(client_as):
    client = client_as("support")
    order = order_with_line(status="paid")
    page = client.get(order_url(order, "mark_shipped")).content.decode()
    assert 'name="carrier"' in page and 'name="tracking_number"' in page
    assert '<datalist id="carriers">' in page and 'value="Royal Mail"' in page
    url, form = form_of(client, order_url(order, "mark_shipped"))
    refused = client.post(url, {**form, "note": "x"})
    assert "Enter the carrier and tracking number, or tick" in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == "paid"
    client.post(url, {**form, "carrier": "Evri", "tracking_number": "H00A1234"})
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert str(Shipment.objects.get(order=order)) == "Evri H00A1234"
    listing = client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "Evri H00A1234" in listing


def test_shipping_without_tracking_is_a_ticked_choice(client_as):
    client = client_as("support")
    order = order_with_line(status="paid")
    url, form = form_of(client, order_url(order, "mark_shipped"))
    client.post(url, {**form, "without_tracking": "on"})
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert str(Shipment.objects.get(order=order)) == "no tracking"


def test_cancelling_on_the_page_sends_the_customer_reason_only(
    client_as, django_capture_on_commit_callbacks
):
    client = client_as("support")
    order = order_with_line()
    url, form = form_of(client, order_url(order, "cancel_order"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {**form, "reason": "warehouse lost it", "customer_reason": "Sorry, it sold out."}
        )
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    (sent,) = mail.outbox
    assert "Sorry, it sold out." in sent.body and "warehouse lost it" not in sent.body


@pytest.mark.django_db(transaction=True)  # what became of the e-mail is said once it commits
def test_the_email_preview_shows_the_email_and_sends_it_again(
    client_as, django_capture_on_commit_callbacks
):
    client = client_as("support")
    order = order_with_line()
    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order_id=order.pk, to="paid", actor=system())
    email = OutboxEmail.objects.get()
    url = reverse("admin:orders_order_email", args=[order.pk, email.pk])
    assert url in client.get(order_url(order)).content.decode()  # linked from the timeline
    page = client.get(url).content.decode()
    assert email.subject in page and "Send again" in page and "srcdoc=" in page
    assert "Jersey Hijab" in page
    response = client.post(url, {}, follow=True)
    text = response.content.decode()
    assert f"The e-mail “Payment received” of order #{order.pk} was written again" in text
    assert f"E-mail “Payment received”: Sent to {order.user.email}." in text
    again = OutboxEmail.objects.exclude(pk=email.pk).get()
    assert (again.resend_of_id, again.status) == (email.pk, "sent")
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("email_id", ["abc", "99999999999", "٣", "0"])
def test_an_email_id_that_is_not_one_is_not_found(client_as, email_id):
    client = client_as("support")
    order = order_with_line()
    url = reverse("admin:orders_order_email", args=[order.pk, "1"]).replace("/1/", f"/{email_id}/")
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_an_email_of_another_order_is_not_found_through_this_one(client_as):
    client = client_as("support")
    first, second = order_with_line(), OrderFactory()
    order_change_status(order_id=first.pk, to="paid", actor=system())
    email = OutboxEmail.objects.get()
    url = reverse("admin:orders_order_email", args=[second.pk, email.pk])
    assert client.get(url).status_code == 404


def test_the_packing_slip_lists_what_to_pack_and_no_prices(client_as):
    client = client_as("support")
    order = order_with_line(address="Flat 9\nHigh Street\nBath BA1 1AA")
    page = client.get(order_url(order, "packing_slip")).content.decode()
    for text in ("ModestWear", f"Order #{order.pk}", "HJB-L-OLV", "Jersey Hijab", ">L<", "Olive"):
        assert text in page, text
    assert ">3<" in page
    assert "Flat 9\nHigh Street\nBath BA1 1AA" in page and "white-space: pre-line" in page
    assert "@media print" in page
    for price in ("17.25", "19.50", "51.75"):
        assert price not in page


def test_a_slip_of_an_order_that_must_not_be_packed_says_so(client_as):
    client = client_as("support")
    cancelled, shipped, paid = (
        order_with_line(status=s, sku=f"HJB-{s}") for s in ("cancelled", "shipped", "paid")
    )
    assert (
        "Cancelled — do not pack."
        in client.get(order_url(cancelled, "packing_slip")).content.decode()
    )
    assert "Already shipped" in client.get(order_url(shipped, "packing_slip")).content.decode()
    assert 'class="status"' not in client.get(order_url(paid, "packing_slip")).content.decode()


def test_packing_slips_for_a_selection_in_one_printable_page(client_as):
    client = client_as("support")
    first = order_with_line()
    second = OrderFactory()
    OrderItemFactory(order=second, variant__sku="ABY-S-BLK")
    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "print_packing_slips", "_selected_action": [first.pk, second.pk]},
    )
    page = response.content.decode()
    assert page.count('class="slip"') == 2
    assert "HJB-L-OLV" in page and "ABY-S-BLK" in page
    assert "page-break-after: always" in page


def test_the_order_list_queries_stay_flat_with_shipments(client_as):
    client = client_as("support")
    counts = []
    for _ in range(2):
        for _ in range(5):
            order = OrderFactory(status="paid")
            order_change_status(
                order_id=order.pk, to="shipped", actor=system(), tracking_number="T1"
            )
        client.get(reverse("admin:orders_order_changelist"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("admin:orders_order_changelist"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The customer page ---------------------------------------------------------------------


def customer_with_history():
    customer = UserFactory(email="huda@example.com", first_name="Huda")
    orders = [
        order_with_line(user=customer, address="1 Park Row\nLeeds"),
        OrderFactory(
            user=customer,
            address="1 Park Row\nLeeds",
            status="paid",
            total_price=Decimal("1234.50"),
        ),
        OrderFactory(user=customer, address="7 Dock Street\nHull", status="cancelled"),
    ]
    WishlistFactory(user=customer, variant__sku="WSH-M-RED", variant__product__name="Maxi Dress")
    CartItemFactory(user=customer, variant__sku="CRT-S-BLU", quantity=4)
    order_add_note(order_id=orders[0].pk, text="Prefers calls after 5pm", actor=system())
    return customer, orders


def test_the_customer_page_shows_orders_addresses_wishlist_cart_and_notes(client_as, settings):
    settings.SHOP_CURRENCY = "GBP"
    client = client_as("support")
    customer, orders = customer_with_history()
    page = client.get(reverse("admin:users_user_change", args=[customer.pk])).content.decode()
    for order in orders:
        assert f'href="{order_url(order)}">#{order.pk}</a>' in page
    assert "Cancelled" in page and "Paid" in page
    assert "£1,234.50" in page  # money spent (paid orders), in the shop's currency
    assert '<td class="pr-4 py-1 align-top">£1,234.50</td>' in page  # the order's total
    assert "1 Park Row<br>Leeds" in page and "7 Dock Street<br>Hull" in page
    assert "WSH-M-RED" in page and "Maxi Dress" in page
    assert "CRT-S-BLU" in page
    assert "Prefers calls after 5pm" in page


def test_a_staff_account_page_has_no_customer_history(client_as, admin_user):
    client = client_as("superuser")
    page = client.get(reverse("admin:users_user_change", args=[admin_user.pk])).content.decode()
    assert "Customer history" not in page


def test_the_customer_page_queries_stay_flat(client_as):
    client = client_as("support")
    customer, _ = customer_with_history()
    url = reverse("admin:users_user_change", args=[customer.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        OrderFactory(user=customer)
        WishlistFactory(user=customer)
        CartItemFactory(user=customer)
    order_add_note(
        order_id=Order.objects.filter(user=customer).first().pk, text="x", actor=system()
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_confirmed_bulk_action_keeps_select_all_of_the_filtered_list(client_as):
    client = client_as("support")
    paid = [OrderFactory(status="paid") for _ in range(3)]
    pending = OrderFactory(status="pending")
    url = reverse("admin:orders_order_changelist") + "?status__exact=paid"
    chosen = {"action": "bulk_cancel", "select_across": "1", "index": "0"}
    page = client.post(url, {**chosen, "_selected_action": [paid[0].pk]}).content.decode()
    assert "Cancel 3 orders" in page and 'name="select_across" value="1"' in page
    client.post(url, {**post_form(page), "confirm": "1", "reason": "x"})
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in paid]).values_list("status", flat=True)
    ) == {"cancelled"}
    assert Order.objects.get(pk=pending.pk).status == "pending"  # outside the filter


def test_the_order_page_shows_the_status_as_a_label_and_the_address_on_its_lines(client_as):
    client = client_as("support")
    order = order_with_line(address="Flat 2\n14 Rose Street\nYork YO1 7HH")
    page = client.get(order_url(order)).content.decode()
    assert "('pending'" not in page and "(&#x27;pending&#x27;" not in page
    assert "Pending" in page
    assert "Flat 2<br>14 Rose Street<br>York YO1 7HH" in page


def test_a_customer_emails_page_shows_its_status_as_a_label(client_as):
    client = client_as("support")
    order = order_with_line()
    order_change_status(order_id=order.pk, to="paid", actor=system())
    email = OutboxEmail.objects.get()
    page = client.get(reverse("admin:orders_outboxemail_change", args=[email.pk])).content
    assert b"(&#x27;pending&#x27;" not in page and b"Pending" in page


def test_badges_are_unfolds_list_labels():
    """apps/toolkit/admin_helpers.badge borrows unfold's list label (unfold.utils): this fails
    if an unfold upgrade renames or reshapes it."""
    from apps.toolkit.admin_helpers import badge

    html = badge("paid", "Paid", {"paid": "info"})
    assert "Paid" in html and "paid" not in html.replace("Paid", "")
    assert "bg-blue-100" in html  # the "info" colour


def test_the_order_page_reads_plainly(client_as, settings):
    settings.SHOP_CURRENCY = "GBP"
    client = client_as("support")
    order = order_with_line()  # paid 17.25, the product costs 19.50 today
    page = " ".join(client.get(order_url(order)).content.decode().split())
    assert "£17.25" in page  # money in the shop's currency, as on the dashboard
    assert "Sales" in page  # the breadcrumb: Sales › Orders › Order #n, not Orders › Orders
    user_url = reverse("admin:users_user_change", args=[order.user_id])
    assert f'href="{user_url}"' in page
    assert "£19.50 (higher)" in page  # today's price stands out when it differs
    cancel = client.get(order_url(order, "cancel_order")).content.decode()
    assert f"Back to Order #{order.pk}" in cancel and ">Cancel<" not in cancel
    # A real address (after a refused submit the browser's "back" is this form again).
    assert f'<a href="{order_url(order)}" class="text-primary-600' in cancel
