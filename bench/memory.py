"""Memory of a gunicorn worker after 1,000 mixed admin and feed requests.

Target (issue #8): at most 150 MB resident per worker, so two workers fit Render's 512 MB plan.
"""

import http.client
import itertools

import psutil

from apps.catalog.models import Product
from apps.orders.models import Order
from bench.common import bench_user, ensure_products, session_cookie
from bench.feed import Server

TARGET_MB = 150


def run(requests: int = 1000, repeat: int = 1) -> list[str]:
    ensure_products(1000)
    product = Product.objects.order_by("pk").first()
    order = Order.objects.order_by("pk").first()
    paths = [
        "/admin/",
        "/admin/catalog/product/",
        f"/admin/catalog/product/{product.pk}/change/",
        "/admin/catalog/productvariant/?stock=low",
        "/admin/orders/order/",
        "/api/catalog/products/?page_size=20&page={n}",
        f"/api/catalog/products/{product.pk}/",
        "/api/catalog/filters/",
        "/api/outfits/public/",
    ]
    if order:
        paths.append(f"/admin/orders/order/{order.pk}/change/")
    cookie = session_cookie(bench_user())
    server = Server(workers=1)
    try:
        worker = psutil.Process(server.process.pid).children()[0]
        start_rss = worker.memory_info().rss
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for n, path in zip(range(requests), itertools.cycle(paths), strict=False):
            conn.request("GET", path.format(n=n % 5 + 1), headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                raise RuntimeError(f"{path}: {response.status}")
        conn.close()
        end_rss = worker.memory_info().rss
    finally:
        server.stop()
    mb = end_rss / 1e6
    return [
        f"gunicorn worker memory after {requests} mixed admin and feed requests",
        f"  at start {start_rss / 1e6:7.1f} MB, after {mb:7.1f} MB   {mb / TARGET_MB:.2f}x the "
        f"{TARGET_MB} MB budget (target <= 1.00x)",
    ]
