"""Scale-out plumbing: feed reads on their own alias (replica or primary, with a timeout),
writes and the admin on the primary; health endpoints for Render."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.factories import ProductFactory, ProductImageFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "feed"])


def test_feed_reads_go_to_the_feed_alias_and_the_admin_stays_on_the_primary(admin_client):
    product = ProductFactory()
    ProductImageFactory(product=product, is_feature=True)
    VariantFactory(product=product)
    with (
        CaptureQueriesContext(connections["feed"]) as feed,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = admin_client.get("/api/catalog/products/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert len(feed) >= 3
    assert not any("catalog_product" in q["sql"] for q in primary.captured_queries)

    with CaptureQueriesContext(connections["feed"]) as feed:
        assert admin_client.get("/admin/catalog/product/").status_code == 200
    assert len(feed) == 0


def test_feed_connections_carry_a_statement_timeout(settings):
    with connections["feed"].cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.FEED_STATEMENT_TIMEOUT_MS // 1000}s"
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_a_slow_feed_query_is_cut_off():
    """The timeout travels in the feed alias's connection options (shortened here so the
    test is quick; the test above checks the configured value)."""
    from django.db import OperationalError

    feed = connections["feed"]
    options = feed.settings_dict["OPTIONS"]
    configured = options["options"]
    assert configured.startswith("-c statement_timeout=")
    feed.close()
    options["options"] = "-c statement_timeout=100"
    try:
        with pytest.raises(OperationalError, match="statement timeout"):
            with feed.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(1)")
    finally:
        feed.close()
        options["options"] = configured


def test_healthz_needs_nothing(client):
    with CaptureQueriesContext(connections["default"]) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_health_reports_database_and_cache_with_timings_to_staff(client_as):
    body = client_as("no_role").get("/health").json()
    assert body["status"] == "ok"
    assert body["checks"]["database:default"]["ok"] and "ms" in body["checks"]["cache"]
    assert "database:feed" in body["checks"]


def test_health_tells_anonymous_callers_only_up_or_down(client, settings):
    settings.HEALTH_TOKEN = "monitor-token-123"
    assert client.get("/health").json() == {"status": "ok"}
    wrong = client.get("/health", headers={"Authorization": "Bearer guess"})
    assert wrong.json() == {"status": "ok"}
    monitor = client.get("/health", headers={"Authorization": "Bearer monitor-token-123"})
    assert set(monitor.json()["checks"]) >= {"database:default", "database:feed", "cache"}


def test_health_without_a_token_configured_accepts_no_bearer(client, settings):
    settings.HEALTH_TOKEN = ""
    assert "checks" not in client.get("/health", headers={"Authorization": "Bearer "}).json()


def test_health_is_503_when_the_database_is_down(client, monkeypatch, settings):
    settings.HEALTH_TOKEN = "monitor-token-123"
    from backoffice import health

    def broken(alias):
        def check():
            raise ConnectionError("database unreachable")

        return check

    monkeypatch.setattr(health, "_database", broken)
    assert client.get("/health").json() == {"status": "unavailable"}
    response = client.get("/health", headers={"Authorization": "Bearer monitor-token-123"})
    assert response.status_code == 503
    assert response.json()["checks"]["database:default"] == {
        "ok": False,
        "error": "ConnectionError",
    }
