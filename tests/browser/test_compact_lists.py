"""A list sent compact (apps/toolkit/compact_list.py) looks as unfold draws it: in Chromium,
every cell, checkbox and input carries unfold's classes again, and lays out as unfold's."""

from apps.toolkit.unfold_overrides import UNFOLD_CLASSES


def test_the_stock_list_wears_unfolds_classes_in_the_browser(sign_in, live_demo, settings):
    page = sign_in("warehouse@modestwear.example")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}catalog/productvariant/")
    cells = page.locator("#result_list td.field-product_name")
    assert cells.count() > 5
    for index in (0, cells.count() - 1):
        classes = cells.nth(index).get_attribute("class").split()
        assert set(UNFOLD_CLASSES["ROW_CLASSES"]) <= set(classes), classes
    # unfold's row height (h-[45px]) and its table-cell layout at this width: the classes work.
    box = cells.first.bounding_box()
    assert 44 <= box["height"] <= 60, box
    assert cells.first.evaluate("el => getComputedStyle(el).display") == "table-cell"

    stock = page.locator("#result_list td.field-stock_available input[type=number]").first
    assert "rounded-default" in stock.get_attribute("class").split()
    assert stock.evaluate("el => getComputedStyle(el).borderTopWidth") == "1px"
    switch = page.locator("#result_list td.field-is_active input[type=checkbox]").first
    assert "rounded-full" in switch.get_attribute("class").split()
    sku = page.locator("#result_list th.field-sku a").first
    assert set(UNFOLD_CLASSES["LINK_CLASSES"]) <= set(sku.get_attribute("class").split())


def test_the_order_lists_row_checkboxes_look_and_work_as_unfolds(sign_in, live_demo, settings):
    page = sign_in("support@modestwear.example")
    page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}orders/order/")
    cell = page.locator("#result_list td.action-checkbox").first
    assert set(UNFOLD_CLASSES["CHECKBOX_CLASSES"]) <= set(cell.get_attribute("class").split())
    row_box = cell.locator("input.action-select")
    assert "appearance-none" in row_box.get_attribute("class").split()
    # Django's list actions still find their checkboxes (actions.js looks for .action-select)
    # and unfold's bar counts the selection.
    row_box.check()
    assert page.locator(".action-counter").first.inner_text().strip().startswith("1 of")
