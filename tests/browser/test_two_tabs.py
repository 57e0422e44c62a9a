"""Two browser tabs at once, in Chromium: what one tab saves is never silently undone by
the other's stale page."""

from apps.catalog.models import ProductVariant


def admin_url(live_demo, settings, path=""):
    return f"{live_demo.url}/{settings.ADMIN_URL_PATH}{path}"


def test_a_stale_stock_list_edit_is_refused_and_the_receipt_kept(
    sign_in, live_demo, settings, screenshot
):
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    shown = variant.stock_available
    tab_a = sign_in("warehouse@modestwear.example")
    tab_b = tab_a.context.new_page()  # same browser, same session: a second tab

    # Tab A shows the stock list with the variant's level.
    tab_a.goto(admin_url(live_demo, settings, f"catalog/productvariant/?q={variant.sku}"))
    cell = tab_a.locator("#result_list input[name='form-0-stock_available']")
    assert cell.input_value() == str(shown)

    # Tab B receives ten.
    tab_b.goto(admin_url(live_demo, settings, f"catalog/productvariant/{variant.pk}/adjust_stock/"))
    tab_b.select_option("select[name=reason]", "received")
    tab_b.fill("input[name=quantity]", "10")
    tab_b.fill("input[name=note]", "DN-9")
    with tab_b.expect_navigation():
        tab_b.click("button[name=confirm]")
    assert f"{variant.sku}: +10 Received (DN-9), stock {shown} → {shown + 10}." in tab_b.content()

    # Tab A, still showing the old level, types a count and saves.
    cell.fill(str(max(shown - 1, 0)))
    with tab_a.expect_navigation():
        tab_a.locator("button[name=_save]").first.click()
    tab_a.wait_for_load_state("networkidle")
    screenshot("refused")
    html = tab_a.content()
    assert f"{variant.sku} went from {shown} to {shown + 10} while you were editing" in html
    assert "Received: DN-9 by warehouse@modestwear.example" in html
    assert "changed successfully" not in html
    variant.refresh_from_db()
    assert variant.stock_available == shown + 10


def test_an_import_confirmed_after_a_colleague_moved_the_stock_writes_nothing(
    sign_in, live_demo, settings, screenshot
):
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    shown = variant.stock_available
    tab_a = sign_in("warehouse@modestwear.example")
    tab_b = tab_a.context.new_page()

    # Tab A uploads a count and sees the preview.
    tab_a.goto(admin_url(live_demo, settings, "catalog/productvariant/import/"))
    tab_a.set_input_files(
        "input[name=import_file]",
        files=[
            {
                "name": "count.csv",
                "mimeType": "text/csv",
                "buffer": f"sku,stock\n{variant.sku},{shown + 3}\n".encode(),
            }
        ],
    )
    if tab_a.locator("select[name=format]").count():
        tab_a.select_option("select[name=format]", label="csv")
    with tab_a.expect_navigation():
        tab_a.get_by_role("button", name="Submit").click()
    tab_a.wait_for_load_state("networkidle")
    screenshot("preview")
    assert "Confirm import" in tab_a.content()

    # Tab B receives five meanwhile.
    tab_b.goto(admin_url(live_demo, settings, f"catalog/productvariant/{variant.pk}/adjust_stock/"))
    tab_b.select_option("select[name=reason]", "received")
    tab_b.fill("input[name=quantity]", "5")
    with tab_b.expect_navigation():
        tab_b.click("button[name=confirm]")

    # Tab A confirms the preview it is still showing.
    with tab_a.expect_navigation():
        tab_a.get_by_role("button", name="Confirm import").click()
    tab_a.wait_for_load_state("networkidle")
    screenshot("refused")
    html = tab_a.content()
    assert "Nothing was imported" in html and "Import finished" not in html
    assert f"went from “{shown}” to “{shown + 5}” since the preview" in html
    variant.refresh_from_db()
    assert variant.stock_available == shown + 5
