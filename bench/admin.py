"""The staff's most used admin pages in production settings, against the same admin
configuration rendered by Django's stock admin templates (bench/stock_settings.py).

Two gunicorn servers run side by side, one worker each as on Render: ours
(bench/admin_settings.py: ``backoffice.settings.base``, debug off, whitenoise's manifest, Redis)
and the stock-template baseline. Each page is fetched from both in alternation; the report is
the median server time, the HTML's size (and gzipped, as sent to a browser that accepts it),
at 1k and at 100k products, and our worker's memory at the end.

Targets (issue #16): every page within 1.3x of the stock-template time; the stock list's HTML
under 250 KB per 100 rows; one worker under 150 MB after the benchmark.
"""

import gzip
import http.client
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from apps.catalog import services
from apps.catalog.models import Product
from apps.orders.models import Order
from bench.common import bench_user, ensure_products, reset_catalog, session_cookie
from bench.feed import _free_port, _redis_url

ROOT = Path(__file__).resolve().parent.parent
TIME_RATIO_TARGET = 1.3
STOCK_HTML_TARGET_KB = 250
MEMORY_TARGET_MB = 150


class Server:
    """One gunicorn worker with ``settings``, as gunicorn.conf.py runs it on Render."""

    def __init__(self, settings: str, static_root: str, redis_db: int):
        self.port = _free_port()
        redis = _redis_url()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_DEBUG": "0",
            # Sessions are made here (bench/common.py session_cookie): signed with this key.
            "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": static_root,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis.rsplit("/", 1)[0] + f"/{redis_db}" if redis else "",
            "WEB_CONCURRENCY": "1",
        }
        env.pop("DJANGO_EMBEDDED_DB", None)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        if redis:
            import redis as redis_client

            redis_client.Redis.from_url(env["REDIS_URL"]).flushdb()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "backoffice.wsgi:application"),
                *("--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}"),
                *("--access-logfile", "/dev/null", "--log-level", "warning"),
                # Not recycled in the middle of the benchmark: its memory is what we report.
                *("--max-requests", "0"),
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline and self.process.poll() is None:
            try:
                if self.get("/healthz", "")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn with {settings} did not start (its errors are above)")

    def get(self, path: str, cookie: str) -> tuple[int, bytes, int, float]:
        """Status, HTML, bytes sent and the worker's own time for the request, asked as a
        browser asks (gzip accepted); the time is the worker's (bench/timing.py)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"X-Forwarded-Proto": "https", "Cookie": cookie, "Accept-Encoding": "gzip"}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        sent = response.read()
        body = gzip.decompress(sent) if response.getheader("Content-Encoding") == "gzip" else sent
        timing = response.getheader("Server-Timing", "app;dur=nan")
        conn.close()
        app = next(part for part in timing.split(", ") if part.startswith("app;"))
        return response.status, body, len(sent), float(app.split("dur=")[1]) / 1000

    def memory_mb(self) -> float:
        worker = psutil.Process(self.process.pid).children()[0]
        return worker.memory_info().rss / 1e6

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _database_url() -> str:
    from urllib.parse import quote

    s = connection.settings_dict
    host = quote(s["HOST"] or "", safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{s['USER']}@{host}{port}/{s['NAME']}"


def _form_product(user) -> Product:
    """A product with 10 variants and 5 images, the form the issue measures."""
    before = set(Product.objects.values_list("pk", flat=True))
    call_command(
        *("generate_synthetic", "--products", "1", "--variants-per-product", "4"),
        *("--images-per-product", "5", "--customers", "1", "--orders", "1"),
        *("--allow-without-debug", "--no-progress"),
        stdout=io.StringIO(),
    )
    product = Product.objects.exclude(pk__in=before).get()
    services.variants_generate(
        product=product,
        sizes=[1, 2],
        colours="Ink, Chalk, Moss",
        pattern="{slug}-{size}-{colour}",
        actor=user,
    )
    assert product.variants.count() == 10 and product.images.count() == 5
    return product


def _pages(product: Product) -> dict[str, str]:
    order = Order.objects.order_by("pk").first()
    return {
        "dashboard": "/admin/",
        "product list": "/admin/catalog/product/",
        "stock list (100 rows)": "/admin/catalog/productvariant/",
        "order list": "/admin/orders/order/",
        "product form (10 variants, 5 images)": f"/admin/catalog/product/{product.pk}/change/",
        "order page": f"/admin/orders/order/{order.pk}/change/",
    }


def _measure(servers, pages, cookie, repeat):
    """Each page from both servers, one right after the other, ``repeat`` times (after a
    warming round): the median time of each, and the median of the paired ratios.

    This machine's speed drifts by more than 2x within seconds (a shared VM); two requests
    made a few milliseconds apart see the same machine, so the ratio of each pair is the
    steady figure, and which server goes first alternates.
    """
    times = {(s, p): [] for s in servers for p in pages}
    ratios = {p: [] for p in pages}
    sizes = {}
    for round_ in range(repeat + 1):
        for page, path in pages.items():
            pair = {}
            order = list(servers.items())
            for name, server in order if round_ % 2 else reversed(order):
                status, body, sent, seconds = server.get(path, cookie)
                if status != 200:
                    raise RuntimeError(f"{name} {path}: {status} {body[:500]!r}")
                pair[name] = seconds
                sizes[name, page] = (len(body), sent)
            if round_:  # the first round warms each worker's caches (templates, plans)
                for name, seconds in pair.items():
                    times[name, page].append(seconds)
                ratios[page].append(pair["ours"] / pair["stock"])
    medians = {key: statistics.median(samples) for key, samples in times.items()}
    return medians, {p: statistics.median(r) for p, r in ratios.items()}, sizes


def _report(label, pages, measured, lines, failures):
    timings, ratios, sizes = measured
    lines.append(f"  at {label} (median ratio of paired requests):")
    for page in pages:
        ours, stock = timings["ours", page], timings["stock", page]
        ratio = ratios[page]
        raw, zipped = sizes["ours", page]
        stock_raw = sizes["stock", page][0]
        lines.append(
            f"    {page:<38} {ours * 1000:7.1f} ms vs stock {stock * 1000:7.1f} ms "
            f"{ratio:5.2f}x (target <= {TIME_RATIO_TARGET:.1f}x)   HTML {raw / 1000:6.1f} KB "
            f"({zipped / 1000:5.1f} KB sent gzipped; stock {stock_raw / 1000:6.1f} KB)"
        )
        if ratio > TIME_RATIO_TARGET:
            failures.append(f"{page} at {label}: {ratio:.2f}x the stock-template time")
    stock_kb = sizes["ours", "stock list (100 rows)"][0] / 1000
    if stock_kb >= STOCK_HTML_TARGET_KB:
        failures.append(f"stock list at {label}: {stock_kb:.0f} KB of HTML")


def run(products: int = 100_000, repeat: int = 15) -> list[str]:
    small = max(products // 100, 10)
    lines = [
        f"Admin pages, production settings, one gunicorn worker each: ours vs the same admin "
        f"rendered by Django's stock templates, at {small} and {products} products"
    ]
    reset_catalog()
    user = bench_user()
    product = _form_product(user)
    ensure_products(small)
    pages = _pages(product)
    cookie = session_cookie(user)
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as static:
        servers = {
            "ours": Server("bench.admin_settings", f"{static}/ours", 13),
            "stock": Server("bench.stock_settings", f"{static}/stock", 14),
        }
        try:
            measured = _measure(servers, pages, cookie, repeat)
            _report(f"{small} products", pages, measured, lines, failures)
            ensure_products(products)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            measured = _measure(servers, pages, cookie, repeat)
            _report(f"{products} products", pages, measured, lines, failures)
            memory = servers["ours"].memory_mb()
        finally:
            for server in servers.values():
                server.stop()
    lines.append(
        f"  our worker's memory after the benchmark: {memory:6.1f} MB, "
        f"{memory / MEMORY_TARGET_MB:.2f}x the {MEMORY_TARGET_MB} MB budget (target <= 1.00x)"
    )
    if memory > MEMORY_TARGET_MB:
        failures.append(f"memory {memory:.0f} MB")
    lines.append(
        "  every target met" if not failures else "  targets missed: " + "; ".join(failures)
    )
    return lines
