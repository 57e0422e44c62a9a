"""Product search: words through the GIN full-text index (English stemming), parts of names
and SKUs in any case through trigram indexes; the stock list's search likewise."""

import pytest
from django.db import connection

from apps.catalog.models import Product, ProductVariant
from apps.catalog.selectors import product_search, variant_search
from tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_search_is_stemmed_and_covers_name_and_description():
    dress = ProductFactory(name="Evening Dress", description="Long sleeves, flowing skirt.")
    abaya = ProductFactory(name="Open Abaya", description="Pairs with evening dresses.")
    ProductFactory(name="Jersey Hijab", description="Soft and light.")
    assert set(product_search(Product.objects.all(), "dresses")) == {dress, abaya}
    assert list(product_search(Product.objects.all(), "sleeve")) == [dress]


def test_part_of_a_name_or_a_sku_finds_products_in_any_case():
    abaya = ProductFactory(name="Open Abaya")
    VariantFactory(product=abaya, sku="UXT-001-S")
    ProductFactory(name="Jersey Hijab")
    for text in ("abay", "ABAY", "uxt-001", "UXT-001-s", "Open Ab"):
        assert list(product_search(Product.objects.all(), text)) == [abaya], text


def test_the_stock_search_finds_part_of_a_sku_or_of_the_product_name():
    abaya = ProductFactory(name="Open Abaya")
    small, large = (VariantFactory(product=abaya, sku=sku) for sku in ("OAB-S", "OAB-L"))
    other = VariantFactory(sku="HIJ-M", product=ProductFactory(name="Jersey Hijab"))
    search = variant_search
    assert set(search(ProductVariant.objects.all(), "oab-s")) == {small}
    assert set(search(ProductVariant.objects.all(), "abaya")) == {small, large}
    assert set(search(ProductVariant.objects.all(), "hij")) == {other}
    assert list(search(ProductVariant.objects.all(), "\x00")) != []  # nothing to look for


@pytest.mark.parametrize("query", ["", "   \t"])
def test_a_blank_search_filters_nothing(query):
    dress = ProductFactory(name="Evening Dress")
    assert list(product_search(Product.objects.all(), query)) == [dress]


@pytest.mark.parametrize("query", ["&|!():*", "a" * 500, "'; DROP TABLE x; --", "\x00\u202e💥"])
def test_odd_search_strings_match_nothing_and_never_fail(query):
    ProductFactory(name="Evening Dress")
    assert list(product_search(Product.objects.all(), query)) == []


def plan_of(queryset, *, bitmap_only=False) -> str:
    with connection.cursor() as cursor:
        # With sequential scans priced out, the planner picks an index only if the query's
        # expression is exactly the indexed one; otherwise the plan still shows a Seq Scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap_only:
            # Nor may it walk a small table through its primary key instead (a full scan in
            # another form, which a planner may prefer on a test-sized table).
            cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def has_trigram_indexes() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname IN "
            "('product_name_trgm_idx', 'variant_sku_trgm_idx')"
        )
        return cursor.fetchone()[0] == 2


def test_the_search_query_uses_the_gin_index():
    ProductFactory.create_batch(30)
    # Unordered: the question is whether the expression matches the index, not which index
    # a LIMIT with ORDER BY prefers.
    plan = plan_of(product_search(Product.objects.order_by(), "abaya"))
    assert "product_fulltext_idx" in plan, plan
    # The products, by id: through an index (the primary key, or on a test-sized table with
    # fresh statistics sometimes another index holding id), never a scan of the table.
    assert "Index Cond: (id = " in plan or "catalog_product_pkey" in plan, plan


def test_partial_name_and_sku_searches_use_the_trigram_indexes():
    if not has_trigram_indexes():
        pytest.skip(
            "this PostgreSQL has no pg_trgm (the embedded one of bin/test): the indexes are "
            "checked on the PostgreSQL 15 run of .ci/run"
        )
    ProductFactory.create_batch(30)
    plan = plan_of(product_search(Product.objects.order_by(), "abaya"), bitmap_only=True)
    assert "product_name_trgm_idx" in plan and "variant_sku_trgm_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
    stock = plan_of(variant_search(ProductVariant.objects.order_by(), "uxt-001"), bitmap_only=True)
    assert "variant_sku_trgm_idx" in stock and "product_name_trgm_idx" in stock, stock
    assert "Seq Scan" not in stock, stock
