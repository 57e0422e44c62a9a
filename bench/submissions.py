"""What one submission, one effect costs a POST (issue #25).

The same stock adjustment — a POST to the adjust page, through the whole stack — is sent with
its one-time key through the back office's site (one transaction: the key claimed, marked
where the stock is written, its outcome recorded) and through unfold's plain site (no key, no
wrapper), in pairs, back to back; the figure is the median of the pairs' ratios, since this
machine's speed drifts within seconds. The idiomatic alternative is the plain site: Django
has no guard against a form sent twice.
"""

import statistics
import time

from django.contrib import admin
from django.test import Client, override_settings
from django.urls import reverse
from unfold.sites import UnfoldAdminSite

from apps.catalog.models import ProductVariant
from apps.toolkit.submissions import FIELD, issue
from bench.common import bench_user, ensure_products


def _variant() -> ProductVariant:
    ensure_products(1)
    return ProductVariant.objects.order_by("pk").first()


class _PlainSite:
    """The admin site without the wrapper, while the block runs (unfold draws its action
    pages through ``admin_view`` at each request)."""

    def __enter__(self):
        site = admin.site
        site.admin_view = lambda view, cacheable=False: UnfoldAdminSite.admin_view(
            site, view, cacheable
        )

    def __exit__(self, *exc):
        del admin.site.admin_view


def _post(client, url, user, keyed) -> float:
    data = {"reason": "received", "quantity": "1", "note": "bench"}  # no stock_seen: no count
    if keyed:
        data[FIELD] = issue(user)
    start = time.perf_counter()
    response = client.post(url, data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    return elapsed


def run(pairs: int = 400, repeat: int = 1) -> list[str]:
    user = bench_user()
    client = Client()
    client.force_login(user)
    variant = _variant()
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    before = ProductVariant.objects.get(pk=variant.pk).stock_available
    ratios, keyed_times, plain_times = [], [], []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for _ in range(3):  # warm both paths
            _post(client, url, user, True)
            with _PlainSite():
                _post(client, url, user, False)
        for _ in range(pairs * repeat):
            keyed = _post(client, url, user, True)
            with _PlainSite():
                plain = _post(client, url, user, False)
            ratios.append(keyed / plain)
            keyed_times.append(keyed)
            plain_times.append(plain)
    applied = ProductVariant.objects.get(pk=variant.pk).stock_available - before
    assert applied == 2 * (pairs * repeat + 3), applied  # every POST booked exactly once
    keyed_ms = statistics.median(keyed_times) * 1000
    plain_ms = statistics.median(plain_times) * 1000
    return [
        f"One submission, one effect: a stock adjustment POST, {pairs * repeat} pairs",
        f"  with its key {keyed_ms:6.1f} ms, plain site {plain_ms:6.1f} ms (medians)",
        f"  keyed / plain: {statistics.median(ratios):.2f}x (median of paired ratios; "
        "target: under 1.25x)",
    ]
