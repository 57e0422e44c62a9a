"""What merchandising and warehouse staff actually click, in Chromium."""

import io
import re

from PIL import Image

from apps.catalog.models import Category, Product, ProductVariant


def admin_url(live_demo, settings, path=""):
    return f"{live_demo.url}/{settings.ADMIN_URL_PATH}{path}"


def test_merchandiser_creates_a_product_with_two_variants_and_an_image_and_features_it(
    sign_in, live_demo, settings, screenshot, tmp_path
):
    page = sign_in("merch@modestwear.example")
    photo = tmp_path / "tiered-abaya.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1000), "#84a98c").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    page.goto(admin_url(live_demo, settings, "catalog/product/add/"))
    page.locator("input[name=name]").press_sequentially("Tiered Linen Abaya")
    assert page.input_value("input[name=slug]") == "tiered-linen-abaya"  # prepopulated
    category = Category.objects.get(slug="abayas")
    page.evaluate(
        """([id, label]) => {
            const select = document.querySelector('select[name=category]');
            select.add(new Option(label, id, true, true));
        }""",
        [str(category.pk), category.name],
    )
    page.select_option("select[name=coverage_level]", label="Full Coverage")
    page.fill("input[name=base_price]", "94.00")
    page.fill("textarea[name=description]", "Three tiers of washed linen, lined to the hem.")

    for index, (sku, size) in enumerate([("TLA-S-SAGE", "S"), ("TLA-M-SAGE", "M")]):
        page.locator("text=Add another Product variant").click()
        page.fill(f"input[name=variants-{index}-sku]", sku)
        page.select_option(f"select[name=variants-{index}-size]", label=size)
        page.fill(f"input[name=variants-{index}-color]", "Sage")
    page.locator("text=Add another Product image").click()
    page.set_input_files("input[name=images-0-image]", str(photo))
    page.check("input[name=images-0-is_feature]")
    screenshot("1-form")
    with page.expect_navigation():
        page.click("button[name=_save]")
    page.wait_for_load_state("networkidle")
    screenshot("2-saved")
    assert "was added successfully" in page.content()

    product = Product.objects.get(slug="tiered-linen-abaya")
    assert sorted(product.variants.values_list("sku", flat=True)) == ["TLA-M-SAGE", "TLA-S-SAGE"]
    assert product.images.get().thumbnail

    # Feature it from the list, with the bulk action.
    page.goto(admin_url(live_demo, settings, "catalog/product/?q=tiered"))
    row = page.locator("tr", has_text="Tiered Linen Abaya")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "feature")
    with page.expect_navigation():
        page.locator("button[type=submit][name=index]").click()
    page.wait_for_load_state("networkidle")
    screenshot("3-featured")
    assert "1 product featured." in page.content()
    product.refresh_from_db()
    assert product.is_featured


def test_merchandiser_moves_a_category_in_the_tree(sign_in, live_demo, settings, screenshot):
    page = sign_in("merch@modestwear.example")
    evening = Category.objects.get(slug="evening-dresses")
    hijabs = Category.objects.get(slug="hijabs")
    page.goto(admin_url(live_demo, settings, "catalog/category/"))
    screenshot("1-tree")
    page.goto(admin_url(live_demo, settings, f"catalog/category/{evening.pk}/move/"))
    page.select_option("select[name=target]", str(hijabs.pk))
    page.select_option("select[name=position]", "first-child")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    screenshot("2-moved")
    assert "moved, with its subcategories" in page.content()
    rows = page.locator("#result_list tbody tr").all_inner_texts()
    names = [re.sub(r"\s+", " ", text).strip() for text in rows]
    hijab_row = next(i for i, text in enumerate(names) if text.startswith("Hijabs"))
    assert names[hijab_row + 1].startswith("└ Evening Dresses")
    evening.refresh_from_db()
    assert evening.parent == hijabs and evening.level == 1


def test_warehouse_finds_a_sku_and_receives_stock(sign_in, live_demo, settings, screenshot):
    variant = ProductVariant.objects.filter(is_active=True).order_by("pk").first()
    before = variant.stock_available
    page = sign_in("warehouse@modestwear.example")
    page.goto(admin_url(live_demo, settings, "catalog/productvariant/"))
    page.fill("input[name=q]", variant.sku.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    screenshot("1-found")
    assert page.locator("#result_list tbody tr").count() == 1
    with page.expect_navigation():  # one click from the row
        page.locator("#result_list").get_by_role("link", name="Adjust stock").click()
    page.select_option("select[name=reason]", "received")
    page.fill("input[name=quantity]", "24")
    page.fill("input[name=note]", "Delivery note DN-2211")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    screenshot("2-received")
    expected = (
        f"{variant.sku}: +24 Received (Delivery note DN-2211), stock {before} → {before + 24}."
    )
    assert expected in page.content()
    assert f"q={variant.sku.lower()}" in page.url  # back on the list as it was filtered
    variant.refresh_from_db()
    assert variant.stock_available == before + 24
    assert variant.history.first().history_change_reason == "Received: Delivery note DN-2211"
