"""One submission, one effect, in Chromium: a double click on "Save adjustment", Back and send
again, a cancel page left open while a colleague marked the order paid."""

import re

from apps.catalog.models import ProductVariant
from apps.orders.models import Order, OutboxEmail
from apps.orders.services import order_change_status
from tests.race import held


def admin_url(live_demo, settings, path=""):
    return f"{live_demo.url}/{settings.ADMIN_URL_PATH}{path}"


def stock_of(variant) -> int:
    return ProductVariant.objects.get(pk=variant.pk).stock_available


def open_adjust_form(page, live_demo, settings, variant):
    page.goto(admin_url(live_demo, settings, f"catalog/productvariant/{variant.pk}/adjust_stock/"))
    page.select_option("select[name=reason]", "received")
    page.fill("input[name=quantity]", "10")
    page.fill("input[name=note]", "DN-9")


def test_a_double_click_on_save_adjustment_books_the_delivery_once(
    sign_in, live_demo, settings, screenshot
):
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    before = stock_of(variant)
    page = sign_in("warehouse@modestwear.example")
    open_adjust_form(page, live_demo, settings, variant)
    with page.expect_navigation():
        page.dblclick("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    screenshot("saved")
    assert f"stock {before} → {before + 10}." in page.content()
    assert stock_of(variant) == before + 10
    assert variant.history.count() == 2  # as loaded, then received once


def test_the_button_waits_for_its_request(sign_in, live_demo, settings):
    """While the server is slow to answer (the row held by a colleague's transaction), the
    pressed button is disabled and a second click sends nothing."""
    page = sign_in("warehouse@modestwear.example")
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    before = stock_of(variant)
    open_adjust_form(page, live_demo, settings, variant)
    posts, said = [], []
    page.on("request", lambda request: request.method == "POST" and posts.append(request))
    page.on("console", lambda message: said.append(message.text))
    with row_held(variant):
        page.evaluate(CLICK_TWICE)
        page.wait_for_timeout(1500)
        assert 'button: [true,"true"]' in said  # disabled and busy while the request runs
        assert len(posts) == 1
    page.wait_for_load_state("networkidle")
    assert stock_of(variant) == before + 10


# Two clicks as a person makes them, the second while the first waits for its answer
# (Playwright's own click would wait for the first navigation).
# Before the second, the page says how the button looks (on the console: the page cannot be
# asked directly while it is leaving).
CLICK_TWICE = """() => {
    const button = document.querySelector("button[name=confirm]");
    setTimeout(() => button.click());
    setTimeout(() => {
        const state = [button.disabled, button.getAttribute("aria-busy")];
        console.log("button: " + JSON.stringify(state));
        button.click();
    }, 300);
}"""


def row_held(variant):
    """A colleague's transaction holding the variant's row: the server answers only after."""
    return held(lambda: ProductVariant.objects.select_for_update().get(pk=variant.pk))


def test_without_the_buttons_script_two_impatient_clicks_still_book_once(
    sign_in, live_demo, settings
):
    """The script that disables buttons spares the second request; the key is the guarantee.
    With the script left out and the server slow to answer (the variant's row held by a
    colleague's transaction), a second click sends the form again: both reach the server, and
    the delivery is booked once."""
    page = sign_in("warehouse@modestwear.example")
    page.route(
        re.compile(r".*/toolkit/submit-once[^/]*\.js"),
        lambda route: route.fulfill(body="", content_type="application/javascript"),
    )
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    before = stock_of(variant)
    open_adjust_form(page, live_demo, settings, variant)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request))
    with row_held(variant):
        page.evaluate(CLICK_TWICE)
        page.wait_for_timeout(1500)
        assert len(posts) == 2, "the second click did not send the form again"
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assert stock_of(variant) == before + 10
    assert variant.history.count() == 2
    assert "Already done at " in page.content()  # the second answered with the first's result


def test_back_to_the_adjust_form_says_what_was_booked_instead_of_booking_it_again(
    sign_in, live_demo, settings, screenshot
):
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    before = stock_of(variant)
    page = sign_in("warehouse@modestwear.example")
    open_adjust_form(page, live_demo, settings, variant)
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    assert stock_of(variant) == before + 10

    page.go_back()
    page.wait_for_load_state("networkidle")
    screenshot("back")
    text = page.locator("#already-done").inner_text()
    assert "Already done at " in text and "warehouse@modestwear.example" in text
    assert f"+10 Received (DN-9), stock {before} → {before + 10}." in text
    assert page.locator("input[name=quantity]").count() == 0  # nothing to send twice
    assert stock_of(variant) == before + 10

    # A second delivery is a new page, on purpose: it is booked.
    with page.expect_navigation():
        page.get_by_role("link", name="Use this page again").click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=reason]", "received")
    page.fill("input[name=quantity]", "5")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    assert stock_of(variant) == before + 15


def test_a_cancel_page_left_open_while_a_colleague_marked_the_order_paid_cancels_nothing(
    sign_in, live_demo, settings, screenshot
):
    from apps.users.models import User

    order = Order.objects.filter(status="pending").order_by("pk").first()
    page = sign_in("support@modestwear.example")
    page.goto(admin_url(live_demo, settings, f"orders/order/{order.pk}/cancel_order/"))
    page.fill("input[name=reason]", "Customer asked")

    colleague = User.objects.get(email="admin@modestwear.example")
    order_change_status(order_id=order.pk, to="paid", actor=colleague, reason="PAY-9")

    page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    screenshot("refused")
    text = " ".join(page.content().split())
    assert f"order #{order.pk} was marked paid by admin@modestwear.example" in text
    assert "The order is paid now." in text
    assert Order.objects.get(pk=order.pk).status == "paid"
    kinds = list(OutboxEmail.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == ["paid"]  # never "Payment received" and "Order cancelled" together


def test_back_after_a_count_shows_the_stock_of_now_and_never_saves_over_a_colleague(
    sign_in, live_demo, settings, screenshot
):
    """Back draws the list afresh, with the level of now as the one the page shows: the count
    typed before must not come back beside it, to be saved over a receipt made meanwhile."""
    from apps.catalog.services import StockReason, stock_apply
    from apps.users.models import User

    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    before = stock_of(variant)
    page = sign_in("warehouse@modestwear.example")
    page.goto(admin_url(live_demo, settings, f"catalog/productvariant/?q={variant.sku}"))
    cell = "#result_list input[name='form-0-stock_available']"
    page.fill(cell, str(before + 100))
    with page.expect_navigation():
        page.locator("button[name=_save]").first.click()
    page.wait_for_load_state("networkidle")
    assert stock_of(variant) == before + 100

    colleague = User.objects.get(email="admin@modestwear.example")
    stock_apply(deltas={variant.pk: 5}, reason=StockReason.RECEIVED, note="DN-5", actor=colleague)
    page.go_back()
    page.wait_for_load_state("networkidle")
    screenshot("back")
    assert page.input_value(cell) == str(before + 105)  # now, not the count typed before
    with page.expect_navigation():
        page.locator("button[name=_save]").first.click()
    page.wait_for_load_state("networkidle")
    assert stock_of(variant) == before + 105
