"""Catalog pages stay flat as the catalog grows: the same queries for 1 row as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db

# Pinned ceilings: a change that adds a query per row (or a full COUNT) breaks these.
PINS = {
    "product_changelist": 13,
    "variant_changelist": 12,
    "product_change": 24,
    "category_changelist": 11,
}


def count_queries(client, url):
    client.get(url)  # warm the session, content types and permission caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def make_products(count):
    category = CategoryFactory(parent=CategoryFactory())
    products = ProductFactory.create_batch(count, category=category)
    for product in products:
        VariantFactory.create_batch(2, product=product)
        ProductImageFactory(product=product, is_feature=True)
    return products


@pytest.mark.parametrize("rows", [1, 50])
def test_product_changelist(client_as, rows):
    client = client_as("merchandising")
    make_products(rows)
    assert (
        count_queries(client, reverse("admin:catalog_product_changelist"))
        <= PINS["product_changelist"]
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_variant_changelist(client_as, rows):
    client = client_as("warehouse")
    VariantFactory.create_batch(rows, product=ProductFactory())
    assert (
        count_queries(client, reverse("admin:catalog_productvariant_changelist"))
        <= PINS["variant_changelist"]
    )


@pytest.mark.parametrize("rows", [1, 30])
def test_product_change_form(client_as, rows):
    client = client_as("merchandising")
    product = ProductFactory()
    VariantFactory.create_batch(rows, product=product)
    ProductImageFactory.create_batch(1, product=product, is_feature=True)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    assert count_queries(client, url) <= PINS["product_change"]


@pytest.mark.parametrize("rows", [1, 50])
def test_category_changelist(client_as, rows):
    client = client_as("merchandising")
    root = CategoryFactory()
    for _ in range(rows):
        ProductFactory(category=CategoryFactory(parent=root))
    assert (
        count_queries(client, reverse("admin:catalog_category_changelist"))
        <= PINS["category_changelist"]
    )


def test_counts_are_equal_for_1_and_50_products(client_as):
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_changelist")
    make_products(1)
    one = count_queries(client, url)
    make_products(49)
    assert count_queries(client, url) == one


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("admin:catalog_product_changelist", "catalog_product"),
        ("admin:catalog_productvariant_changelist", "catalog_productvariant"),
    ],
)
def test_big_unfiltered_lists_use_the_row_estimate_not_count(client_as, monkeypatch, url, table):
    monkeypatch.setattr("apps.toolkit.admin_helpers.EXACT_COUNT_LIMIT", 5)
    VariantFactory.create_batch(12)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    client = client_as("superuser")
    client.get(reverse(url))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url))
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and table in q["sql"]]
    assert counts == []
    assert response.context["cl"].result_count == 12  # the estimate, exact after ANALYZE
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(url), {"q": "SKU-00001"})
    assert any("COUNT(*)" in q["sql"] for q in queries)  # filtered lists count exactly


@pytest.mark.parametrize(
    ("role", "url_name", "query"),
    [
        ("merchandising", "admin:catalog_product_changelist", "abay"),
        ("merchandising", "admin:catalog_product_changelist", "sku-0"),
        ("warehouse", "admin:catalog_productvariant_changelist", "sku-0"),
        ("warehouse", "admin:catalog_productvariant_changelist", "abay"),
    ],
)
def test_a_search_costs_the_same_queries_for_few_and_many_matches(client_as, role, url_name, query):
    client = client_as(role)
    url = reverse(url_name) + f"?q={query}"
    for product in make_products(1):
        product.name = "Open Abaya"
        product.save()
    few = count_queries(client, url)
    for product in make_products(30):
        product.name = "Open Abaya"
        product.save()
    assert count_queries(client, url) == few


def test_the_product_form_reads_the_same_queries_whatever_the_number_of_categories(client_as):
    client = client_as("merchandising")
    product = ProductFactory()
    pages = [
        reverse("admin:catalog_product_add"),
        reverse("admin:catalog_product_change", args=[product.pk]),
    ]
    few = [count_queries(client, url) for url in pages]
    for _ in range(30):
        CategoryFactory(parent=product.category)
    assert [count_queries(client, url) for url in pages] == few
    # The chosen category is still shown, by its path.
    html = client.get(pages[1]).content.decode()
    assert f'<option value="{product.category_id}" selected>{product.category.name}' in html
