"""Product search goes through the GIN full-text index, with English stemming."""

import pytest
from django.db import connection

from apps.catalog.models import Product
from apps.catalog.selectors import product_search
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_search_is_stemmed_and_covers_name_and_description():
    dress = ProductFactory(name="Evening Dress", description="Long sleeves, flowing skirt.")
    abaya = ProductFactory(name="Open Abaya", description="Pairs with evening dresses.")
    ProductFactory(name="Jersey Hijab", description="Soft and light.")
    assert set(product_search(Product.objects.all(), "dresses")) == {dress, abaya}
    assert list(product_search(Product.objects.all(), "sleeve")) == [dress]


@pytest.mark.parametrize("query", ["", "   \t"])
def test_a_blank_search_filters_nothing(query):
    dress = ProductFactory(name="Evening Dress")
    assert list(product_search(Product.objects.all(), query)) == [dress]


@pytest.mark.parametrize("query", ["&|!():*", "a" * 500, "'; DROP TABLE x; --", "\x00\u202e💥"])
def test_odd_search_strings_match_nothing_and_never_fail(query):
    ProductFactory(name="Evening Dress")
    assert list(product_search(Product.objects.all(), query)) == []


def test_the_search_query_uses_the_gin_index():
    ProductFactory.create_batch(30)
    # Unordered: the question is whether the expression matches the index, not which index
    # a LIMIT with ORDER BY prefers.
    queryset = product_search(Product.objects.order_by(), "abaya")
    with connection.cursor() as cursor:
        # With sequential scans priced out, the planner picks the index only if the query's
        # expression is exactly the indexed one; otherwise the plan still shows a Seq Scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "product_fulltext_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
