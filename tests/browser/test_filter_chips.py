"""The warehouse filters the stock list, sees the filter as a chip, and removes it with its ×."""

import re

from playwright.sync_api import expect


def test_a_filter_shows_as_a_chip_whose_cross_removes_it(sign_in, live_demo, settings, screenshot):
    page = sign_in("warehouse@modestwear.example")
    page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}catalog/productvariant/")
    expect(page.locator("#filter-chips")).to_have_count(0)

    page.locator("a[x-on\\:click='filterOpen = true']").click()  # unfold's "Filters" button
    with page.expect_navigation():
        page.locator("#changelist-filter a", has_text="Low (").click()
    chip = page.locator("#filter-chips [data-chip]")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(re.compile(r"Stock:\s+Low \(1 to \d+\)"))
    assert "stock=low" in page.url
    screenshot("1-filtered")

    with page.expect_navigation():
        chip.get_by_role("link").click()
    expect(page.locator("#filter-chips")).to_have_count(0)
    assert "stock=" not in page.url
    screenshot("2-unfiltered")
