"""Every ordering the feed offers is read from an index: a page never sorts the whole table.

With sorting made prohibitively expensive (``enable_sort = off``) PostgreSQL still sorts when
no index gives the order; so a plan without a Sort node proves an index does. The benchmark
(``python -m bench feed``) prints the same plan's time at 100k products.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def plan_nodes(sql, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_sort = on")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node["Node Type"])
        # Not the per-product subplans (a product's few images and variants, in order).
        stack.extend(
            child
            for child in node.get("Plans", [])
            if child.get("Parent Relationship") not in ("SubPlan", "InitPlan")
        )
    return nodes


def page_query(client, url, params):
    """The SQL of the page: the one query that ends in ORDER BY … LIMIT n."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    [page] = [
        q["sql"]
        for q in captured.captured_queries
        if re.search(r"ORDER BY [^()]*LIMIT \d+( OFFSET \d+)?\s*$", q["sql"])
    ]
    return page


@pytest.mark.parametrize(
    ("url", "ordering"),
    [
        ("/api/catalog/products/", "-date_added"),
        ("/api/catalog/products/", "date_added"),
        ("/api/catalog/products/", "price"),
        ("/api/catalog/products/", "-price"),
        ("/api/outfits/public/", "-created_at"),
        ("/api/outfits/public/", "created_at"),
    ],
)
def test_each_ordering_is_read_from_an_index(client, shop, url, ordering):
    sql = page_query(client, url, {"ordering": ordering})
    # The captured SQL has its parameters inlined already.
    assert "Sort" not in plan_nodes(sql, None), ordering


def test_the_check_sees_a_sort_where_no_index_gives_the_order(shop):
    # The control: an order no index provides is still sorted with sorting discouraged.
    sql = "SELECT id FROM catalog_product ORDER BY description, id LIMIT 20"
    assert "Sort" in plan_nodes(sql, None)
