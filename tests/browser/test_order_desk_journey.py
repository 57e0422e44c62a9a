"""Support's order desk in Chromium: a note, shipping with tracking, the customer's e-mail in
the outbox and its preview, packing slips for a selection, the customer's page."""

from django.core import mail

from apps.orders.models import Order, OutboxEmail, Shipment
from apps.orders.services import order_change_status
from tests.actors import system


def test_support_notes_ships_emails_and_prints(sign_in, live_demo, settings, screenshot):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    pending = Order.objects.filter(status="pending").select_related("user").order_by("pk")
    order, second = pending[0], pending[1]
    for paid in (order, second):
        order_change_status(order_id=paid.pk, to="paid", actor=system())
    mail.outbox.clear()
    page = sign_in("support@modestwear.example")

    # A note, from the order page; it heads the timeline with the agent's name.
    page.goto(f"{admin}orders/order/{order.pk}/change/")
    page.locator("a:not([href])", has_text="More").first.click()  # the page's other actions
    page.get_by_role("link", name="Add note").click()
    page.fill("textarea[name=text]", "Customer asked: leave the parcel\nwith the neighbour")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    timeline = page.locator("#order-timeline li")
    assert timeline.first.get_attribute("data-kind") == "note"
    assert "leave the parcel\nwith the neighbour" in timeline.first.inner_text()
    assert "support@modestwear.example" in timeline.first.inner_text()

    # Mark shipped: the page asks for the carrier and tracking number; leaving both out is
    # refused until it is a ticked choice.
    page.get_by_role("link", name="Mark shipped").click()
    with page.expect_navigation():
        page.click("button[name=confirm]")
    assert "Enter the carrier and tracking number, or tick" in page.content()
    page.fill("input[name=carrier]", "Royal Mail")
    page.fill("input[name=tracking_number]", "RM123456785GB")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    assert f"Order #{order.pk} marked shipped." in page.content()
    screenshot("1-shipped")
    assert str(Shipment.objects.get(order=order)) == "Royal Mail RM123456785GB"
    assert page.get_by_text("Royal Mail RM123456785GB", exact=True).count() == 1  # the field
    first_event = page.locator("#order-timeline li").first
    assert "E-mail “Order shipped”" in first_event.inner_text()
    assert f"Sent to {order.user.email}." in first_event.inner_text()
    (sent,) = mail.outbox
    assert "RM123456785GB" in sent.body

    # The e-mail in the outbox list, and its preview as the customer sees it.
    page.goto(f"{admin}orders/outboxemail/?q={order.pk}")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2  # paid, then shipped
    assert "Sent to" in rows.first.inner_text()
    with page.expect_navigation():
        rows.first.get_by_role("link", name=f"#{order.pk} — preview").click()
    frame = page.frame_locator('iframe[title="The e-mail\'s HTML"]')
    assert "RM123456785GB" in frame.locator("body").inner_text()
    screenshot("2-email-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Send again").click()
    assert OutboxEmail.objects.filter(order=order, resend_of__isnull=False).count() == 1
    assert len(mail.outbox) == 2

    # Packing slips for two orders, from the list: no prices, one slip per order.
    page.goto(f"{admin}orders/order/")
    for number in (order.pk, second.pk):
        page.locator(f"#result_list input.action-select[value='{number}']").check()
    page.select_option("select[name=action]", "print_packing_slips")
    with page.expect_navigation():
        page.locator("button[type=submit][name=index]").click()
    slips = page.locator("section.slip")
    assert slips.count() == 2
    text = page.locator("body").inner_text()
    for line in order.items.select_related("variant"):
        assert line.variant.sku in text
        assert str(line.price_at_purchase) not in text
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()  # the Print button stays off the paper
    screenshot("3-slips")

    # The customer's page: the order among their orders, with the note.
    page.goto(f"{admin}users/user/{order.user_id}/change/")
    assert "Customer history" in page.content()
    assert page.get_by_text("leave the parcel", exact=False).count() == 1  # the note
    with page.expect_navigation():
        page.get_by_role("link", name=f"#{order.pk}", exact=True).first.click()
    assert f"/orders/order/{order.pk}/change/" in page.url
