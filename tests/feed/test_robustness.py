"""Bad input never yields a 500; query counts stay flat; caching and conditional GET."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.feed import schemas
from tests.actors import system
from tests.factories import ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db(databases=["default", "feed"])
PRODUCTS = "/api/catalog/products/"

# The README's table of bad input: what each gets.
BAD_INPUT = [
    ({"page": "abc"}, 400, "page:"),
    ({"page": "0"}, 400, "page: must be 1 or more"),
    ({"page": "-3"}, 400, "page: must be 1 or more"),
    ({"page": "99"}, 404, "Page 99 does not exist; the last page is 1."),
    ({"page_size": "0"}, 400, "page_size: must be 1 or more"),
    ({"page": "٣"}, 400, "page: must be a whole number written with the digits 0-9"),
    ({"page": "1_0"}, 400, "page: must be a whole number"),
    ({"page": "99999999999999999999"}, 400, "page: must be a whole number"),
    ({"min_price": "1e3"}, 400, "min_price: must be a price written with the digits 0-9"),
    ({"min_price": "١٠"}, 400, "min_price: must be a price written with the digits 0-9"),
    ({"size": "XXXL"}, 400, "size: must be one of XS, S, M, L, XL, XXL"),
    ({"featured": "yes"}, 400, "featured: must be true or false"),
    ({"in_stock": "2"}, 400, "in_stock: must be true or false"),
    ({"color": "x" * 101}, 400, "color: at most 100 characters"),
    ({"page_size": "x"}, 400, "page_size:"),
    ({"min_price": "5", "max_price": "1"}, 400, "min_price is above max_price"),
    ({"min_price": "cheap"}, 400, "min_price:"),
    ({"min_price": "NaN"}, 400, "min_price: must be a price written with the digits 0-9"),
    ({"max_price": "-1"}, 400, "max_price: must be a price of zero or more"),
    ({"ordering": "name"}, 400, "ordering:"),
    ({"category": "no-such-category"}, 400, "category: unknown category"),
    ({"category": "archive"}, 400, "category: unknown category"),  # hidden = unknown
    ({"coverage_level": "extreme"}, 400, "coverage_level: no such coverage level"),
    ({"search": "x" * 201}, 400, "search: at most 200 characters"),
]


@pytest.mark.parametrize(("params", "status", "message"), BAD_INPUT)
def test_bad_input_gets_a_json_4xx(client, shop, params, status, message):
    response = client.get(PRODUCTS, params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert message in response.json()["detail"]


@pytest.mark.parametrize(
    ("search", "count"),
    [
        (" \t", 3),  # nothing left to search for: no filter
        ("💥🧕🏽", 0),
        ("\u202eevil", 0),
        ("&|!():*", 0),
        ("' OR 1=1 --", 0),
        ("ﷺ", 0),
        ("x" * 200, 0),
    ],
)
def test_odd_search_strings_get_a_defined_result(client, shop, search, count):
    response = client.get(PRODUCTS, {"search": search})
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_a_nul_character_in_any_parameter_is_a_400_with_a_json_message(client, shop):
    for params in ({"search": "\x00 \t"}, {"category": "\x00"}, {"x\x00": "1"}):
        response = client.get(PRODUCTS, params)
        assert response.status_code == 400, params
        assert "NUL character" in response.json()["detail"]


def test_a_huge_page_size_is_capped_at_100(client, shop):
    response = client.get(PRODUCTS, {"page_size": str(10**9)})
    assert response.status_code == 200 and response.json()["count"] == 3


@pytest.mark.parametrize("url", ["/api/catalog/products/abc/", "/api/outfits/abc/"])
def test_a_non_numeric_id_is_a_json_4xx(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_feed_is_read_only(client, shop, method):
    response = getattr(client, method)(PRODUCTS)
    assert response.status_code == 405


def test_head_answers_headers_without_a_body(client, shop):
    response = client.head(PRODUCTS)
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"]


def test_cors_for_the_storefront_origin_only(client, shop, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example"]
    allowed = client.get(PRODUCTS, HTTP_ORIGIN="https://shop.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example"
    other = client.get(PRODUCTS, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        PRODUCTS,
        HTTP_ORIGIN="https://shop.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


# Query counts --------------------------------------------------------------------------


def queries_for(client, url, params):
    """Queries of an uncached request (the version read included)."""
    from django.core.cache import cache

    from apps.feed.cache import reset_local

    cache.clear()
    reset_local()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def add_products(category, count):
    for _ in range(count):
        product = ProductFactory(category=category)
        ProductImageFactory(product=product, is_feature=True)
        VariantFactory.create_batch(2, product=product)


@pytest.mark.parametrize(
    ("url", "params", "pin"),
    [
        (PRODUCTS, {}, 3),  # version, count, the page with its images and variants
        (PRODUCTS, {"category": "dresses", "search": "dress", "size": ["M", "S"]}, 4),
        ("/api/outfits/public/", {}, 4),
    ],
)
def test_queries_are_the_same_whatever_the_page_size(client, shop, url, params, pin):
    add_products(shop["categories"]["dresses"], 30)
    small = queries_for(client, url, {**params, "page_size": 1})
    large = queries_for(client, url, {**params, "page_size": 100, "page": 1})
    assert small == large <= pin


def test_product_and_outfit_detail_query_pins(client, shop):
    gown = shop["products"]["evening-gown"]
    assert queries_for(client, f"{PRODUCTS}{gown.pk}/", {}) == 2  # the version, the product
    assert queries_for(client, f"{PRODUCTS}by-slug/{gown.slug}/", {}) == 2
    assert queries_for(client, f"/api/outfits/{shop['outfits']['public'].pk}/", {}) == 4
    assert queries_for(client, "/api/catalog/categories/", {}) == 2
    assert queries_for(client, "/api/catalog/filters/", {}) <= 7


# Caching -------------------------------------------------------------------------------


def test_a_second_request_is_served_from_the_cache(client, shop, settings):
    settings.FEED_VERSION_TTL = 60  # within the second the version was read, no query at all
    first = client.get(PRODUCTS)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(PRODUCTS)
    assert len(queries) == 0
    assert second.content == first.content
    assert "max-age=60" in second["Cache-Control"] and "public" in second["Cache-Control"]


def test_conditional_get_is_answered_304_without_queries(client, shop, settings, monkeypatch):
    import time

    from apps.feed import cache as feed_cache

    settings.FEED_VERSION_TTL = 60
    # Dates have whole seconds: Last-Modified is sent once the second of the change is over.
    later = time.time() + 2
    monkeypatch.setattr(feed_cache.time, "time", lambda: later)
    first = client.get(PRODUCTS)
    with CaptureQueriesContext(connection) as queries:
        by_etag = client.get(PRODUCTS, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(PRODUCTS, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag.content == b"" and len(queries) == 0
    other = client.get(PRODUCTS, {"page_size": 1}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200  # another URL has another ETag


def test_a_product_edit_in_the_admin_invalidates_the_feed(
    client, shop, admin_client, django_capture_on_commit_callbacks
):
    gown = shop["products"]["evening-gown"]
    before = client.get(PRODUCTS)
    assert "Evening Gown" in before.content.decode()
    data = {
        "name": "Evening Gown Deluxe",
        "slug": gown.slug,
        "category": gown.category_id,
        "coverage_level": gown.coverage_level_id,
        "base_price": "1299.99",
        "description": gown.description,
        "variants-TOTAL_FORMS": 0,
        "variants-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:catalog_product_change", args=[gown.pk]), data)
    assert response.status_code == 302
    after = client.get(PRODUCTS, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "Evening Gown Deluxe" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_a_stock_change_invalidates_the_feed(client, shop, django_capture_on_commit_callbacks):
    from apps.catalog.services import StockReason, stock_adjust

    before = client.get(PRODUCTS)
    variant = shop["products"]["maxi-dress"].variants.get()
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(variant=variant, quantity=50, reason=StockReason.RECEIVED, actor=system())
    assert client.get(PRODUCTS)["ETag"] != before["ETag"]


# Fuzzing -------------------------------------------------------------------------------

PARAM_VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["price", "-price", "date_added", "clothing", "full", "", "1e309", "true", "M", "٣"]
    ),
)
PARAMS = st.dictionaries(
    st.sampled_from(
        [
            "category",
            "coverage_level",
            "min_price",
            "max_price",
            "search",
            "ordering",
            "page",
            "page_size",
            "size",
            "color",
            "featured",
            "in_stock",
            "unknown",
        ]
    ),
    st.one_of(PARAM_VALUES, st.lists(PARAM_VALUES, min_size=1, max_size=3)),
    max_size=5,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=PARAMS, outfit_params=PARAMS)
def test_no_request_fails_and_every_answer_matches_the_schema(client, shop, params, outfit_params):
    for url, query, schema in [
        (PRODUCTS, params, schemas.ProductPage),
        ("/api/outfits/public/", outfit_params, schemas.OutfitPage),
    ]:
        # NUL is refused before any view (test_a_nul_character_in_any_parameter_…).
        query = {
            k: [x.replace("\x00", "") for x in v] if isinstance(v, list) else v.replace("\x00", "")
            for k, v in query.items()
        }
        response = client.get(url, query)
        assert response.status_code in (200, 400, 404), (query, response.content[:200])
        body = json.loads(response.content)
        if response.status_code == 200:
            schema.model_validate(body)
        else:
            schemas.ErrorOut.model_validate(body)


def test_a_change_by_any_client_is_seen_once_the_version_is_read_again(client, shop, settings):
    settings.FEED_VERSION_TTL = 60
    first = client.get(PRODUCTS)
    with connection.cursor() as cursor:  # psql or another application: no Django involved
        cursor.execute(
            "UPDATE catalog_product SET name = 'Renamed by psql' WHERE slug = 'maxi-dress'"
        )
    assert client.get(PRODUCTS).content == first.content  # the version was read < 60 s ago
    settings.FEED_VERSION_TTL = 0  # the TTL has passed
    second = client.get(PRODUCTS)
    assert "Renamed by psql" in second.content.decode() and second["ETag"] != first["ETag"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(segment=st.text(max_size=30).filter(lambda t: "/" not in t and "\x00" not in t))
def test_no_path_segment_fails(client, shop, segment):
    from urllib.parse import quote

    for url in (
        f"{PRODUCTS}{quote(segment)}/",
        f"{PRODUCTS}by-slug/{quote(segment)}/",
        f"/api/outfits/{quote(segment)}/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (url, response.content[:200])
        assert json.loads(response.content)
