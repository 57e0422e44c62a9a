"""A support agent's day at the order desk, in Chromium."""

from apps.catalog.models import ProductVariant
from apps.orders.models import Order


def test_support_agent_handles_orders(sign_in, live_demo, settings, screenshot):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    pending = Order.objects.filter(status="pending").select_related("user").order_by("pk")
    order, other, to_cancel = pending[0], pending[1], pending[2]
    page = sign_in("support@modestwear.example")

    # Find the order by the customer's e-mail and open it.
    page.goto(f"{admin}orders/order/")
    page.fill("input[name=q]", order.user.email)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    screenshot("1-search")
    with page.expect_navigation():
        page.locator("#result_list a", has_text=f"#{order.pk}").first.click()
    page.wait_for_load_state("networkidle")

    # The customer phoned: the parcel goes to her office. The browser posts the address it
    # showed with CRLF line breaks; the check against it must still match.
    page.locator("a:not([href])", has_text="More").first.click()  # the page's other actions
    page.get_by_role("link", name="Change address").click()
    page.fill("textarea[name=address]", "ModestWear Customer\n12 Office Park\nLeeds LS1 4AP")
    page.fill("input[name=reason]", "customer phoned")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    assert f"Order #{order.pk} now goes to the new address." in page.content()
    order.refresh_from_db()
    assert order.address == "ModestWear Customer\n12 Office Park\nLeeds LS1 4AP"

    # Mark it paid, then shipped, with the buttons on the order page.
    for button, fields, status in [
        ("Mark paid", {"note": "PAY-77"}, "paid"),
        ("Mark shipped", {"carrier": "DPD", "tracking_number": "TRK-1"}, "shipped"),
    ]:
        page.get_by_role("link", name=button).click()
        for name, value in fields.items():
            page.fill(f"input[name={name}]", value)
        with page.expect_navigation():
            page.click("button[name=confirm]")
        page.wait_for_load_state("networkidle")
        assert f"Order #{order.pk} marked {status}." in page.content()
    screenshot("2-shipped")
    order.refresh_from_db()
    assert order.status == "shipped"
    assert page.get_by_role("link", name="Mark delivered").count() == 1
    assert page.get_by_role("link", name="Mark paid").count() == 0
    assert page.get_by_role("link", name="Change address").count() == 0  # it has left

    # Try to deliver a pending order from the list: refused, with the reason.
    page.goto(f"{admin}orders/order/?q={other.pk}")
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", "bulk_mark_delivered")
    with page.expect_navigation():
        page.locator("button[type=submit][name=index]").click()
    page.wait_for_load_state("networkidle")
    screenshot("3-refused")
    assert (
        f"Order #{other.pk} is pending, so it cannot be marked delivered: "
        "it can be marked paid or cancelled." in page.content()
    )
    other.refresh_from_db()
    assert other.status == "pending"

    # Cancel another order and see its stock come back.
    line = to_cancel.items.select_related("variant").first()
    before = line.variant.stock_available
    page.goto(f"{admin}orders/order/{to_cancel.pk}/change/")
    page.get_by_role("link", name="Cancel order").click()
    page.fill("input[name=reason]", "Customer asked by phone")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    assert f"Order #{to_cancel.pk} marked cancelled." in page.content()
    returned = sum(i.quantity for i in to_cancel.items.all() if i.variant_id == line.variant_id)
    page.goto(f"{admin}catalog/productvariant/?q={line.variant.sku}")
    screenshot("4-restocked")
    assert ProductVariant.objects.get(pk=line.variant_id).stock_available == before + returned
    assert str(before + returned) in page.locator("#result_list").inner_text()
