"""The storefront's one rule (apps/feed/visibility.py), from a table of cases, and proof that
catalog health, the feed, outfit moderation and the category tree agree with it."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.feed import cache as feed_cache
from apps.feed.visibility import (
    product_problems,
    visible_outfits,
    with_outfit_state,
    with_product_state,
)
from apps.outfits.models import Outfit
from tests.factories import (
    CategoryFactory,
    CoverageLevelFactory,
    OutfitFactory,
    OutfitItemFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
HEALTH = reverse("admin:catalog_cataloghealth_changelist")

# (case, parent active, category active, variants as (active, stock), image, coverage,
#  expected: shown, why hidden, warnings)
PRODUCT_CASES = [
    ("all fine", True, True, [(True, 5)], True, True, True, [], []),
    ("sold out", True, True, [(True, 0)], True, True, True, [], ["shown as sold out"]),
    (
        "sold out, inactive in stock",
        True,
        True,
        [(True, 0), (False, 9)],
        True,
        True,
        True,
        [],
        ["shown as sold out"],
    ),
    ("no picture", True, True, [(True, 5)], False, True, True, [], ["shown without a picture"]),
    (
        "no coverage",
        True,
        True,
        [(True, 5)],
        True,
        False,
        True,
        [],
        ["shown without a coverage level"],
    ),
    ("no variant", True, True, [], True, True, False, ["no active variant"], []),
    ("only inactive", True, True, [(False, 5)], True, True, False, ["no active variant"], []),
    (
        "category hidden",
        True,
        False,
        [(True, 5)],
        True,
        True,
        False,
        ["its category or a parent category is hidden"],
        [],
    ),
    (
        "parent hidden",
        False,
        True,
        [(True, 5)],
        True,
        True,
        False,
        ["its category or a parent category is hidden"],
        [],
    ),
    (
        "both",
        False,
        True,
        [(False, 0)],
        False,
        True,
        False,
        ["its category or a parent category is hidden", "no active variant"],
        ["shown without a picture"],
    ),
]


def build_product(parent_active, category_active, variants, image, coverage):
    parent = CategoryFactory(is_active=parent_active)
    category = CategoryFactory(parent=parent, is_active=category_active)
    level = CoverageLevelFactory(name="Full Coverage") if coverage else None
    product = ProductFactory(category=category, coverage_level=level)
    for active, stock in variants:
        VariantFactory(product=product, is_active=active, stock_available=stock)
    if image:
        ProductImageFactory(product=product, is_feature=True)
    return product


@pytest.mark.parametrize(
    ("case", "parent", "category", "variants", "image", "coverage", "shown", "why", "warnings"),
    PRODUCT_CASES,
    ids=[case[0] for case in PRODUCT_CASES],
)
def test_the_product_rule(
    client, client_as, case, parent, category, variants, image, coverage, shown, why, warnings
):
    product = build_product(parent, category, variants, image, coverage)
    state = with_product_state(type(product).objects.filter(pk=product.pk)).get()
    assert state.shown is shown
    assert product_problems(state) == (why, warnings)
    detail = client.get(f"/api/catalog/products/{product.pk}/")
    assert detail.status_code == (200 if shown else 404)
    listed = [p["id"] for p in json.loads(client.get("/api/catalog/products/").content)["results"]]
    assert listed == ([product.pk] if shown else [])
    health = client_as("merchandising").get(HEALTH).context["cl"].result_list
    if why or warnings:
        [row] = health
        assert row.shown is shown
    else:
        assert list(health) == []


# (case, public, shown products, hidden products, expected shown)
OUTFIT_CASES = [
    ("two shown", True, 2, 0, True),
    ("ten shown", True, 10, 0, True),
    ("one shown", True, 1, 0, False),
    ("eleven shown", True, 11, 0, False),
    ("two shown and a hidden one", True, 2, 1, True),
    ("one shown and a hidden one", True, 1, 1, False),
    ("private", False, 3, 0, False),
]


@pytest.mark.parametrize(
    ("case", "public", "shown_count", "hidden_count", "shown"),
    OUTFIT_CASES,
    ids=[case[0] for case in OUTFIT_CASES],
)
def test_the_outfit_rule(client, client_as, case, public, shown_count, hidden_count, shown):
    outfit = OutfitFactory(is_public=public)
    archive = CategoryFactory(is_active=False)
    prices = [Decimal("10.00") + n for n in range(shown_count)]
    for position, price in enumerate(prices):
        product = build_product(True, True, [(True, 1)], True, True)
        product.base_price = price
        product.save(update_fields=["base_price"])
        OutfitItemFactory(outfit=outfit, product=product, position=position)
    for position in range(hidden_count):
        hidden = ProductFactory(category=archive, base_price="999.00")
        VariantFactory(product=hidden)
        OutfitItemFactory(outfit=outfit, product=hidden, position=100 + position)
    state = with_outfit_state(Outfit.objects.filter(pk=outfit.pk)).get()
    assert state.shown is shown
    assert (state.shown_items, state.shown_total) == (shown_count, sum(prices, Decimal(0)))
    assert (outfit in visible_outfits()) is shown
    detail = client.get(f"/api/outfits/{outfit.pk}/")
    assert detail.status_code == (200 if shown else 404)
    if shown:
        body = json.loads(detail.content)
        assert (body["items_count"], body["total_price"]) == (
            shown_count,
            f"{sum(prices, Decimal(0)):.2f}",
        )
        assert len(body["items"]) == shown_count
    staff = client_as("merchandising")
    [row] = staff.get(reverse("admin:outfits_outfit_changelist")).context["cl"].result_list
    assert (row.shown_items, row.shown_total) == (state.shown_items, state.shown_total)
    flagged = staff.get(reverse("admin:outfits_outfit_changelist"), {"moderation": "not_shown"})
    assert (outfit in flagged.context["cl"].result_list) is (public and not shown)


def test_the_category_tree_marks_hidden_subtrees_and_counts_what_is_shown(client_as):
    clothing = CategoryFactory(name="Clothing")
    archive = CategoryFactory(name="Archive", parent=clothing, is_active=False)
    old = CategoryFactory(name="Old", parent=archive)
    for category in (clothing, old):
        VariantFactory(product=ProductFactory(category=category))
    ProductFactory(category=clothing)  # no variant: not shown
    rows = {
        c.name: c
        for c in client_as("merchandising")
        .get(reverse("admin:catalog_category_changelist"))
        .context["cl"]
        .result_list
    }
    assert (rows["Clothing"].product_shown, rows["Clothing"].product_total) == (1, 3)
    assert rows["Old"].hidden_by_tree and rows["Old"].is_active
    assert rows["Archive"].hidden_by_tree and not rows["Clothing"].hidden_by_tree


# A random catalog: what catalog health calls hidden is exactly what the feed refuses. ------

CATALOGS = st.fixed_dictionaries(
    {
        # Each category: (index of its parent among the earlier ones or None, active).
        "categories": st.lists(
            st.tuples(st.one_of(st.none(), st.integers(0, 5)), st.booleans()),
            min_size=1,
            max_size=6,
        ),
        # Each product: (category index, variants as (active, stock), image, coverage).
        "products": st.lists(
            st.tuples(
                st.integers(0, 5),
                st.lists(st.tuples(st.booleans(), st.sampled_from([0, 3])), max_size=3),
                st.booleans(),
                st.booleans(),
            ),
            min_size=1,
            max_size=8,
        ),
    }
)


@pytest.fixture
def merchandiser(client_as):
    return client_as("merchandising")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(catalog=CATALOGS)
def test_catalog_health_hidden_is_exactly_what_the_feed_refuses(client, merchandiser, catalog):
    with transaction.atomic():
        categories = []
        for parent, active in catalog["categories"]:
            parent = categories[parent] if parent is not None and parent < len(categories) else None
            categories.append(CategoryFactory(parent=parent, is_active=active))
        products = []
        for category, variants, image, coverage in catalog["products"]:
            product = ProductFactory(
                category=categories[category % len(categories)],
                coverage_level=CoverageLevelFactory(name="Full Coverage") if coverage else None,
            )
            for active, stock in variants:
                VariantFactory(product=product, is_active=active, stock_available=stock)
            if image:
                ProductImageFactory(product=product, is_feature=True)
            products.append(product)
        cache.clear()
        feed_cache.reset_local()
        hidden_by_health = {
            p.pk for p in merchandiser.get(HEALTH, {"reason": "hidden"}).context["cl"].result_list
        }
        refused_by_feed = {
            p.pk
            for p in products
            if client.get(f"/api/catalog/products/{p.pk}/").status_code == 404
        }
        listed = {
            p["id"]
            for p in json.loads(client.get("/api/catalog/products/?page_size=100").content)[
                "results"
            ]
        }
        assert hidden_by_health == refused_by_feed
        assert listed == {p.pk for p in products} - refused_by_feed
        transaction.set_rollback(True)
