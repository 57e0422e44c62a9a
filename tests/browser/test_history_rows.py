"""Saving a page without changing anything leaves no history; a change leaves one row that
says what changed (#15: history once filled with "Changed" rows with no difference)."""

from apps.catalog.models import Category, Product, ProductImage, ProductVariant

AUDITED = (Product, ProductVariant, ProductImage, Category)


def history_rows():
    return {model.__name__: model.history.count() for model in AUDITED}


def test_saving_unchanged_pages_writes_no_history(sign_in, live_demo, settings):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    product = Product.objects.filter(variants__isnull=False, images__isnull=False).first()
    page = sign_in("merch@modestwear.example")
    before = history_rows()
    page.goto(f"{admin}catalog/product/{product.pk}/change/")
    with page.expect_navigation():
        page.locator("button[name=_continue]").click()
    # A list saved as it is (the stock list; the product list's only edit, featured, is a
    # switch that saves itself).
    page.context.clear_cookies()
    page = sign_in("warehouse@modestwear.example")
    page.goto(f"{admin}catalog/productvariant/")
    with page.expect_navigation():
        page.locator("button[name=_save]").first.click()
    assert history_rows() == before


def test_a_list_edit_leaves_one_row_naming_its_change(sign_in, live_demo, settings):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    page = sign_in("warehouse@modestwear.example")
    page.goto(f"{admin}catalog/productvariant/")
    before = ProductVariant.history.count()
    with page.expect_navigation():
        page.locator("button[name=_save]").first.click()
    assert ProductVariant.history.count() == before  # nothing typed, nothing written
    field = page.locator("input[name$=stock_available]").first
    field.fill(str(int(field.input_value()) + 3))
    with page.expect_navigation():
        page.locator("button[name=_save]").first.click()
    (record,) = ProductVariant.history.filter(history_id__gt=_last_id(before))
    assert record.diff_against(record.prev_record).changed_fields == ["stock_available"]
    assert record.history_change_reason == "Count correction: typed in the admin"


def _last_id(count):
    return ProductVariant.history.order_by("history_id").values_list("history_id", flat=True)[
        count - 1
    ]
