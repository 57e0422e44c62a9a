"""The admin dashboard on the synthetic data set, at 1k and at 100k products.

Target (issue #7): median under 300 ms on this machine, and flat from 1k to 100k products.
"Cold" clears the cache before every request (the minute-long stock aggregate included);
"warm" is what staff see when they come back to the dashboard.
"""

import statistics
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from bench.common import bench_user, ensure_products, reset_catalog


def _client():
    client = Client()
    client.force_login(bench_user())
    return client


def _median(client, repeat, cold):
    samples = []
    client.get("/admin/")
    for _ in range(repeat):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get("/admin/")
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(samples)


def run(products: int = 100_000, repeat: int = 7) -> list[str]:
    small = max(products // 100, 10)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        reset_catalog()
        ensure_products(small)
        client = _client()
        small_cold, small_warm = _median(client, repeat, True), _median(client, repeat, False)
        ensure_products(products)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        big_cold, big_warm = _median(client, repeat, True), _median(client, repeat, False)
    return [
        f"Dashboard (superuser: every figure), {small} vs {products} products",
        f"  warm: {small_warm * 1000:7.1f} ms at {small}, {big_warm * 1000:7.1f} ms at {products}"
        f"  {big_warm / small_warm:.2f}x (target: under 300 ms, flat)",
        f"  cold: {small_cold * 1000:7.1f} ms at {small}, {big_cold * 1000:7.1f} ms at {products}"
        f"  {big_cold / small_cold:.2f}x",
    ]
