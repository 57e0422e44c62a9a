"""Each role's day through the improved flows, in Chromium at 1440×900, asserting what the
pages show. ``DOCS_SCREENSHOTS=1`` also refreshes the README's pictures in docs/screenshots/."""

import io
import re

import pytest
from PIL import Image

from apps.catalog.models import Category, Product, ProductVariant
from apps.orders.models import Order


@pytest.fixture
def wide(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


def jpeg(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1000), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def shown_field(page, label):
    """The value a read-only form row shows beside ``label``."""
    row = page.locator(".field-line", has=page.locator("label", has_text=re.compile(f"^{label}$")))
    return row.locator(".readonly")


def choose_category(page, typed, label):
    """Type into the category picker (Select2) and pick the option reading ``label``."""
    if page.locator(".select2-container--open .select2-search__field").count() == 0:
        page.locator("select[name=category] + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    option = page.locator(".select2-results__option", has_text=label)
    option.wait_for()
    return option


@pytest.mark.django_db(transaction=True, databases=["default", "feed"])
def test_merchandiser_makes_a_product_in_one_pass(
    sign_in, wide, live_demo, settings, screenshot, docs_screenshot, tmp_path
):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    taken_slug = Product.objects.order_by("pk").values_list("slug", flat=True).first()
    page = sign_in("merch@modestwear.example")
    page.goto(f"{admin}catalog/product/add/")

    # The name pasted (one input event, no key presses) still fills the slug.
    page.locator("input[name=name]").fill("Tiered Linen Abaya")
    assert page.input_value("input[name=slug]") == "tiered-linen-abaya"

    # The picker shows paths; a hidden category is marked and cannot be chosen.
    hidden = choose_category(page, "winter", "Archive › Winter 2023 (hidden from the storefront)")
    assert hidden.get_attribute("aria-disabled") == "true"
    assert float(hidden.evaluate("option => getComputedStyle(option).opacity")) < 1  # looks it
    hidden.click(force=True)  # a click on it chooses nothing
    assert page.locator("select[name=category]").input_value() == ""
    choose_category(page, "open ab", "Clothing › Abayas › Open Abayas").click()
    assert page.locator("select[name=category]").input_value() == str(
        Category.objects.get(name="Open Abayas").pk
    )
    page.select_option("select[name=coverage_level]", label="Full Coverage")
    page.fill("input[name=base_price]", "94.00")

    # Sizes × colours, SKUs proposed as they are typed.
    for size in (ProductVariant.Size.S, ProductVariant.Size.M):
        page.check(f"input[name=make_sizes][value='{size.value}']")
    page.fill("input[name=make_colours]", "Sage, dusty rose")
    plan = page.locator("#variant-plan")
    plan.get_by_text("Saving makes 4 variants:").wait_for()
    # Listed under the fields it answers, not above them.
    colours_box = page.locator("input[name=make_colours]").bounding_box()
    assert plan.bounding_box()["y"] > colours_box["y"]
    assert [row.get_attribute("data-sku") for row in plan.locator("tbody tr").all()] == [
        "TLA-S-SAGE",
        "TLA-S-DUSTY-ROSE",
        "TLA-M-SAGE",
        "TLA-M-DUSTY-ROSE",
    ]

    # Two images; the second is the feature image, the first stays first.
    page.locator("text=Add another Product image").click()
    page.set_input_files("input[name=images-0-image]", jpeg(tmp_path / "back.jpg", "#84a98c"))
    page.locator("text=Add another Product image").click()
    page.set_input_files("input[name=images-1-image]", jpeg(tmp_path / "front.jpg", "#6d597a"))
    page.locator("input[name=images-1-is_feature]").check()

    # A mistake elsewhere (a web name already used): the chosen files are kept.
    page.fill("input[name=slug]", taken_slug)
    with page.expect_navigation():
        page.click("button[name=_save]")
    page.wait_for_load_state("networkidle")
    assert "Product with this Slug already exists." in page.content()
    kept = page.locator(".kept-upload")
    assert [text.split("(")[0].strip() for text in kept.all_inner_texts()] == [
        "Kept: back.jpg",
        "Kept: front.jpg",
    ]
    assert page.locator("input[name=make_colours]").input_value() == "Sage, dusty rose"
    screenshot("1-kept-after-an-error")
    docs_screenshot("product-form")

    page.fill("input[name=slug]", "tiered-linen-abaya")
    with page.expect_navigation():
        page.click("button[name=_save]")
    page.wait_for_load_state("networkidle")
    assert "4 variants made: TLA-S-SAGE, TLA-S-DUSTY-ROSE, TLA-M-SAGE, TLA-M-DUSTY-ROSE." in (
        page.content()
    )
    product = Product.objects.get(slug="tiered-linen-abaya")
    assert product.variants.count() == 4
    images = list(product.images.all())  # as ordered in the admin
    assert [image.image.name.split("/")[-1][:5] for image in images] == ["back.", "front"]
    assert [image.is_feature for image in images] == [False, True]
    # The storefront leads with the feature image all the same.
    feed = page.request.get(f"{live_demo.url}/api/catalog/products/{product.pk}/")
    assert feed.ok, feed.text()
    assert feed.json()["images"][0]["is_feature"] is True

    # Featured from the list with the switch: saved when flipped, no Save button.
    page.goto(f"{admin}catalog/product/?q=tiered")
    switch = page.locator(f"[data-instant-toggle$='/{product.pk}/featured/']")
    switch.check()
    page.locator(".instant-toggle-state", has_text="Saved").wait_for()
    assert page.locator("button[name=_save]").count() == 0
    page.reload()
    assert page.locator(f"[data-instant-toggle$='/{product.pk}/featured/']").is_checked()
    product.refresh_from_db()
    assert product.is_featured

    # Active filters read as chips.
    page.goto(f"{admin}catalog/product/?is_featured__exact=1&q=tiered")
    chips = page.locator("#filter-chips [data-chip]").all_inner_texts()
    assert [" ".join(chip.replace("×", "").split()) for chip in chips] == [
        "Featured: Yes",
        "Search: “tiered”",
    ]
    screenshot("2-chips")


def test_warehouse_works_the_low_stock_list_and_imports_a_delivery(
    sign_in, wide, live_demo, settings, screenshot, docs_screenshot, tmp_path
):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    page = sign_in("warehouse@modestwear.example")

    # From the dashboard's "Low stock" to the list it counts.
    threshold = settings.LOW_STOCK_THRESHOLD
    widget = page.locator(f"[data-list='Low stock (1 to {threshold})']")
    with page.expect_navigation():
        widget.get_by_role("link", name="See the whole list").click()
    page.wait_for_load_state("networkidle")
    assert "stock=low" in page.url
    chips = page.locator("#filter-chips [data-chip]").all_inner_texts()
    assert any(chip.startswith("Stock:") and "Low" in chip for chip in chips), chips
    low = list(
        ProductVariant.objects.filter(
            is_active=True,
            stock_available__gte=1,
            stock_available__lte=settings.LOW_STOCK_THRESHOLD,
        ).order_by("sku")
    )
    assert page.locator("#result_list tbody tr").count() == min(len(low), 100)

    # A delivery by file: the preview shows old → new and the file's delta and reason.
    variant = low[0]
    before = variant.stock_available
    delivery = tmp_path / "delivery.csv"
    delivery.write_text(f"sku,delta,reason\n{variant.sku},+12,delivery DN-31\n")
    page.goto(f"{admin}catalog/productvariant/import/")
    page.set_input_files("input[name=import_file]", str(delivery))
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state("networkidle")
    screenshot("1-preview")
    # Headers as the file wrote them (innerText applies the page's CSS: unfold's would
    # capitalise them into "Sku", "Coverage_level").
    headers = [h.strip() for h in page.locator(".import-preview-table thead th").all_inner_texts()]
    assert {"sku", "delta", "reason"} <= set(headers), headers
    row = page.locator(".import-preview-table tbody tr").first
    text = " ".join(row.inner_text().split())
    assert f"{variant.stock_available} → {variant.stock_available + 12}" in text, text
    assert "delivery DN-31" in text
    docs_screenshot("stock-import-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm import").click()
    page.wait_for_load_state("networkidle")
    variant.refresh_from_db()
    assert variant.stock_available == before + 12


def test_support_finds_an_order_by_name_and_reads_it(
    sign_in, wide, live_demo, settings, screenshot, docs_screenshot
):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    order = (
        Order.objects.filter(status="pending", user__first_name__gt="")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    page = sign_in("support@modestwear.example")
    page.goto(f"{admin}orders/order/")
    page.fill("input[name=q]", order.user.first_name.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("#result_list a", has_text=f"#{order.pk}").count() >= 1
    with page.expect_navigation():
        page.locator("#result_list a", has_text=f"#{order.pk}").first.click()
    page.wait_for_load_state("networkidle")

    content = page.content()
    assert "('pending', 'Pending')" not in content
    assert shown_field(page, "Status").text_content().strip() == "Pending"  # a label, no tuple
    customer = page.locator(f"a[href$='/users/user/{order.user_id}/change/']")
    assert customer.first.inner_text().strip() == order.user.get_full_name()  # a visible link
    lines = [line for line in order.address.splitlines() if line.strip()]
    shown = shown_field(page, "Delivery address").inner_text()
    assert [line.strip() for line in shown.splitlines() if line.strip()] == lines
    assert page.locator("button[name=_save]").count() == 0
    screenshot("1-order")
    docs_screenshot("order-page")
    breadcrumb = page.locator("a", has_text="Sales").first
    assert breadcrumb.is_visible()  # Sales › Orders › Order #n, not Orders › Orders


def test_support_takes_a_phone_order_checked_before_it_is_placed(
    sign_in, wide, live_demo, settings, screenshot, docs_screenshot
):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    customer = (
        Order.objects.filter(user__first_name__gt="", user__is_active=True, user__is_staff=False)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    variant = (
        ProductVariant.objects.filter(is_active=True, stock_available__gte=5)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    page = sign_in("support@modestwear.example")
    page.goto(f"{admin}orders/order/phone_order/")
    page.locator("input[name=customer]").press_sequentially(customer.last_name[:4].lower())
    offered = page.locator("#customer-matches option")
    offered.first.wait_for(state="attached")
    assert customer.email in [o.get_attribute("value") for o in offered.all()]
    page.fill("input[name=customer]", customer.email)  # as choosing the suggestion does
    page.fill("textarea[name=lines]", f"{variant.sku} 2")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the order").click()
    summary = " ".join(page.locator("#summary").inner_text().split())
    total = variant.product.base_price * 2
    assert variant.sku in summary and customer.email in summary
    assert f"{total:,.2f}" in page.locator("#phone-total").inner_text()
    # The last order's address, filled in for the agent to confirm.
    last = customer.orders.order_by("-created_at", "-pk").first().address
    assert page.locator("textarea[name=address]").input_value() == last
    screenshot("1-checked")
    docs_screenshot("phone-order")
    with page.expect_navigation():
        page.get_by_role("button", name="Place the order").click()
    page.wait_for_load_state("networkidle")
    order = Order.objects.filter(user=customer).latest("pk")
    assert f"Order #{order.pk} placed for {customer.email}." in page.content()
    assert order.items.get().variant == variant
