"""The three roles' day, end to end: dashboards, featuring into the feed."""

import pytest

from apps.catalog.models import Product


@pytest.mark.django_db(transaction=True, databases=["default", "feed"])
def test_merchandiser_features_a_product_and_the_feed_shows_it(
    sign_in, live_demo, settings, screenshot
):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    product = (
        Product.objects.filter(is_featured=False, category__is_active=True).order_by("pk").first()
    )
    page = sign_in("merch@modestwear.example")
    screenshot("1-dashboard")
    assert page.locator("[data-list='Featured products needing attention']").count() == 1

    feed_url = f"{live_demo.url}/api/catalog/products/{product.pk}/"
    # As the storefront's server fetches it (a browser would reuse its copy for max-age).
    assert page.request.get(feed_url).json()["is_featured"] is False

    page.goto(f"{admin}catalog/product/?q={product.slug.split('-')[0]}")
    row = page.locator("#result_list tr", has_text=product.name)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "feature")
    with page.expect_navigation():
        page.locator("button[type=submit][name=index]").click()
    page.wait_for_load_state("networkidle")
    screenshot("2-featured")
    assert "1 product featured." in page.content()

    # The feed's cache was invalidated when the change committed.
    assert page.request.get(feed_url).json()["is_featured"] is True


def test_each_role_lands_on_a_dashboard_that_says_what_to_do_next(sign_in, live_demo, screenshot):
    for email, expected in [
        ("support@modestwear.example", "Orders today"),
        ("warehouse@modestwear.example", "Low stock"),
        ("admin@modestwear.example", "Orders per day, 30 days"),
    ]:
        page = sign_in(email)
        page.wait_for_selector("#dashboard")
        assert expected in page.content()
        screenshot(email.split("@")[0])
        page.context.clear_cookies()
