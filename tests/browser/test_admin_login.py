import pytest


@pytest.mark.parametrize(
    "email",
    [
        "admin@modestwear.example",
        "merch@modestwear.example",
        "warehouse@modestwear.example",
        "support@modestwear.example",
    ],
)
def test_each_demo_account_signs_in_to_the_branded_admin(sign_in, email):
    page = sign_in(email)
    assert "/login/" not in page.url
    assert "ModestWear back office" in page.title()
    assert page.locator("text=Please enter the correct").count() == 0


def test_a_wrong_password_is_refused(page, live_demo, settings):
    page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}login/")
    page.fill("input[name=username]", "admin@modestwear.example")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "/login/" in page.url
    assert page.get_by_text("Please enter the correct").count() == 1


def test_no_page_asks_for_something_that_is_not_there(sign_in, page, live_demo, settings):
    """The favicon, stylesheets, scripts: every request a page makes is answered."""
    missing = []
    page.on(
        "response",
        lambda response: (
            missing.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    sign_in("support@modestwear.example")
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    for path in ("", "orders/order/", "users/user/"):
        page.goto(admin + path)
        page.wait_for_load_state("networkidle")
    assert missing == []


def test_the_sidebar_search_runs_on_enter(sign_in, page):
    sign_in("support@modestwear.example")
    search = page.locator("#nav-filter")
    search.click()
    search.press_sequentially("e-mails")
    page.locator("#search-results a").first.wait_for()  # after a pause in typing
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The page fixture fails the test on any JavaScript error; Enter opens the first result.
    assert "/orders/outboxemail/" in page.url


def test_the_dashboard_charts_show_their_values_and_change_period(sign_in, page):
    sign_in("support@modestwear.example")
    with page.expect_navigation():
        page.locator("#chart-period").get_by_role("link", name="7 days").click()
    page.wait_for_load_state("networkidle")
    assert "?days=7" in page.url
    shown = page.evaluate(
        """() => [...document.querySelectorAll('canvas.chart')].map((canvas) => {
            const chart = Chart.getChart(canvas);
            return [chart.data.labels.length, chart.scales.y.options.ticks.display];
        })"""
    )
    assert shown[0] == [7, True]  # orders per day: 7 days, values on the axis
    assert all(display for _, display in shown)


def test_leaving_a_list_with_unsaved_edits_asks_first(sign_in, page, live_demo, settings):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    sign_in("warehouse@modestwear.example")
    page.goto(f"{admin}catalog/productvariant/")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", answer)
    page.goto(f"{admin}catalog/product/")  # nothing edited: leaves without asking
    assert asked == []
    page.goto(f"{admin}catalog/productvariant/")
    field = page.locator("input[name$=stock_available]").first
    field.fill(str(int(field.input_value()) + 1))
    page.evaluate("() => { window.location.href = '/admin/catalog/product/' }")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert "/catalog/productvariant/" in page.url  # stayed, the edit still there


def test_a_pasted_product_name_fills_the_slug(sign_in, page, live_demo, settings):
    sign_in("merch@modestwear.example")
    page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}catalog/product/add/")
    name = page.locator("input[name=name]")
    name.focus()
    page.keyboard.insert_text("Linen Wrap Abaya")  # as a paste: no key is pressed
    assert page.locator("input[name=slug]").input_value() == "linen-wrap-abaya"
