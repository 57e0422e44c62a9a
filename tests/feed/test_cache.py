"""The feed's cache: keys from validated parameters, 304s only for what exists, JSON errors,
and a feed that answers with its cache server down."""

import json
import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.feed import cache as feed_cache
from apps.feed.cache import _LocalBodies

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/catalog/products/"

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_unknown_parameters_are_not_part_of_the_key(client, shop, settings):
    settings.FEED_VERSION_TTL = 60
    first = client.get(PRODUCTS)
    stored = len(feed_cache._local.entries)  # the body and its list's count
    with CaptureQueriesContext(connection) as queries:
        for n in range(50):
            response = client.get(PRODUCTS, {f"utm_{n}": "1", "fbclid": str(n)})
            assert response.status_code == 200 and response["ETag"] == first["ETag"]
    assert len(queries) == 0  # no render, no count: one cached body answered all
    assert len(feed_cache._local.entries) == stored == 2


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"size": ["m", "S"]}, {"size": ["S", "M", "M"]}),
        ({"page_size": "500"}, {"page_size": "100"}),
        ({"featured": "TRUE"}, {"featured": "1"}),
        ({"page": "1"}, {}),
    ],
)
def test_two_spellings_of_one_question_share_one_answer(client, shop, settings, one, other):
    settings.FEED_VERSION_TTL = 60
    first = client.get(PRODUCTS, one)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(PRODUCTS, other)
    assert (first.status_code, second["ETag"], len(queries)) == (200, first["ETag"], 0)


def test_a_wildcard_conditional_request_gets_304_only_for_what_exists(client, shop):
    gown = shop["products"]["evening-gown"]
    hidden = shop["products"]["old-coat"]
    assert client.get(f"{PRODUCTS}{gown.pk}/", HTTP_IF_NONE_MATCH="*").status_code == 304
    for url in (f"{PRODUCTS}{hidden.pk}/", f"{PRODUCTS}999999/", "/api/nope/"):
        for _ in range(2):  # cold, then with whatever the first request left in the cache
            response = client.get(url, HTTP_IF_NONE_MATCH="*")
            assert response.status_code == 404, url
            assert "detail" in response.json()


def test_an_etag_from_before_a_change_gets_the_new_body(client, shop):
    before = client.get(PRODUCTS)
    shop["products"]["maxi-dress"].variants.update(stock_available=0)
    after = client.get(PRODUCTS, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [PRODUCTS, "/api/catalog/filters/", "/api/outfits/public/"])
def test_other_methods_are_a_json_405(client, shop, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response.json()["detail"].startswith("Method not allowed")
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/catalog/products/%00/",
        "/api/catalog/products/by-slug/%00/",
        "/api/outfits/%00/",
    ],
)
def test_a_nul_in_the_path_is_a_json_400(client, shop, url):
    response = client.get(url)
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/catalog/products/٣/",
        "/api/catalog/products/1_0/",
        "/api/catalog/products/99999999999/",
        "/api/catalog/products/0/",
        "/api/catalog/products/by-slug/évening/",
        "/api/outfits/+1/",
    ],
)
def test_odd_ids_and_slugs_are_a_json_4xx(client, shop, url):
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


def test_head_answers_every_endpoint_without_a_body(client, shop):
    gown = shop["products"]["evening-gown"]
    for url in (
        PRODUCTS,
        f"{PRODUCTS}{gown.pk}/",
        f"{PRODUCTS}by-slug/{gown.slug}/",
        "/api/catalog/categories/",
        "/api/catalog/filters/",
        "/api/outfits/public/",
        f"/api/outfits/{shop['outfits']['public'].pk}/",
    ):
        for _ in range(2):  # rendered, then cached
            head = client.head(url)
            assert (head.status_code, head.content) == (200, b""), url
            assert int(head["Content-Length"]) == len(client.get(url).content)


def test_the_near_cache_is_bounded_in_bytes():
    bodies = _LocalBodies(limit=1000)
    for n in range(30):
        bodies.put(f"k{n}", 1, b"x" * 100)
        assert bodies.size <= 1000
    assert bodies.get("k29", 1) == b"x" * 100 and bodies.get("k0", 1) is None
    bodies.get("k20", 1)  # recently used: kept when the next one comes
    bodies.put("new", 1, b"y" * 100)
    assert bodies.get("k20", 1) is not None and bodies.get("k21", 1) is None
    bodies.put("huge", 1, b"z" * 900)  # more than an eighth of the limit: not kept
    assert bodies.get("huge", 1) is None and bodies.size <= 1000


def test_with_the_cache_server_down_the_feed_answers_from_postgresql(
    client, shop, settings, caplog
):
    settings.CACHES = DEAD_REDIS
    feed_cache.reset_local()
    with caplog.at_level(logging.WARNING, logger="apps.feed.cache"):
        for url in (PRODUCTS, "/api/catalog/categories/", "/api/outfits/public/") * 3:
            response = client.get(url)
            assert response.status_code == 200, url
            json.loads(response.content)
    warnings = [r for r in caplog.records if "Shared cache unavailable" in r.getMessage()]
    # The breaker opened at the first failure: the other requests did not wait for Redis.
    assert len(warnings) == 1
    assert feed_cache.shared.is_open
    health = client.get("/health")
    assert (health.status_code, health.json()["status"]) == (200, "degraded")


def test_the_breaker_closes_again_and_the_cache_is_used(client, shop, settings, monkeypatch):
    settings.FEED_VERSION_TTL = 60
    feed_cache.shared.open_until = 0.0
    calls = []
    real_get = cache.get

    def counting_get(*args, **kwargs):
        calls.append(args[0])
        return real_get(*args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    client.get(PRODUCTS)
    assert calls  # asked the shared cache (a miss, then stored)
    calls.clear()
    feed_cache.shared.open_until = float("inf")  # open: the shared cache is left alone
    feed_cache._local.reset()
    assert client.get(PRODUCTS).status_code == 200
    assert calls == []


def test_slugs_of_digits_are_not_read_as_numbers(client, shop):
    gown, maxi = shop["products"]["evening-gown"], shop["products"]["maxi-dress"]
    type(gown).objects.filter(pk=gown.pk).update(slug="7")
    type(maxi).objects.filter(pk=maxi.pk).update(slug="007")
    assert client.get(f"{PRODUCTS}by-slug/007/").json()["id"] == maxi.pk
    assert client.get(f"{PRODUCTS}by-slug/7/").json()["id"] == gown.pk


def test_last_modified_waits_for_the_second_of_the_change_to_pass(client, shop):
    # The catalog just changed (the fixture): a second change within this second would carry
    # the same date, so no date is offered yet and a date sent is not trusted.
    response = client.get(PRODUCTS)
    assert "Last-Modified" not in response and response["ETag"]
    since = client.get(PRODUCTS, HTTP_IF_MODIFIED_SINCE="Fri, 01 Jan 2100 00:00:00 GMT")
    assert since.status_code == 200


def test_a_bad_host_is_a_json_400(client, shop):
    response = client.get(PRODUCTS, HTTP_HOST="evil.example")
    assert response.status_code == 400 and response.json()["detail"] == "Invalid Host header."


def test_empty_parameters_are_read_as_not_given(client, shop):
    plain = client.get(PRODUCTS).json()
    names = ["min_price", "max_price", "ordering", "page", "featured", "in_stock", "category"]
    names += ["coverage_level", "search", "color", "size", "page_size"]
    empty = dict.fromkeys(names, "")
    response = client.get(PRODUCTS, empty)
    assert response.status_code == 200 and response.json() == plain


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"search": "  Dress  "}, {"search": "dress"}),
        ({"coverage_level": " FULL"}, {"coverage_level": "full"}),
    ],
)
def test_case_and_spaces_do_not_make_new_entries(client, shop, settings, one, other):
    settings.FEED_VERSION_TTL = 60
    first = client.get(PRODUCTS, one)
    assert first.status_code == 200 and first.json()["count"] >= 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PRODUCTS, other)["ETag"] == first["ETag"]
    assert len(queries) == 0


def test_a_category_moved_by_its_parent_alone_does_not_break_the_tree(client, shop):
    # Another application sets parent_id without the tree columns: the tree stays whole.
    evening, archive = shop["categories"]["evening-dresses"], shop["categories"]["archive"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_category SET parent_id = %s WHERE id = %s", [archive.pk, evening.pk]
        )
    response = client.get("/api/catalog/categories/")
    assert response.status_code == 200
    assert "evening-dresses" not in response.content.decode()


def test_coverage_levels_offered_select_exactly_their_level(client, shop):
    from apps.catalog.models import CoverageLevel

    arabic = CoverageLevel.objects.create(name="تغطية كاملة")
    digits = CoverageLevel.objects.create(name=str(shop["levels"]["full"].pk))
    for level in (arabic, digits):
        product = shop["products"]["linen-tunic"]
        type(product).objects.filter(pk=product.pk).update(coverage_level=level)
        offered = {
            c["id"]: c["slug"]
            for c in client.get("/api/catalog/filters/").json()["coverage_levels"]
        }
        assert offered[level.pk]
        for value in (offered[level.pk], str(level.pk)):
            found = client.get(PRODUCTS, {"coverage_level": value}).json()["results"]
            assert [p["slug"] for p in found] == ["linen-tunic"], (level.name, value)
    assert offered[digits.pk] == str(digits.pk)  # a name that reads as an id is offered by id
