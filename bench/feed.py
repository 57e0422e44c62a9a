"""The storefront feed against an idiomatic Django REST framework version of the same contract
(bench/drf_feed.py), both served by one gunicorn, measured in alternation at two catalog sizes:

- the default 20-product page rendered on every request (our body cache off, DRF without
  ``cache_page``), and a product page (a few visible ids in turn);
- the same page cached (our feed cache against DRF behind ``cache_page(60)``);
- the PostgreSQL time of our default page: EXPLAIN ANALYZE of every SELECT it runs.

Targets: uncached >= 3x DRF, cached >= 10x DRF, default page < 2 ms of PostgreSQL time.
Load comes from wrk when installed (Debian's wrk), else from a small Python client.
"""

import http.client
import json
import math
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.common import ensure_products, reset_catalog

ROOT = Path(__file__).resolve().parent.parent
OURS, DRF, DRF_CACHED = "/api/", "/bench/drf/", "/bench/drf-cached/"
PAGE = "catalog/products/"  # the default page: 20 products, newest first
DETAIL_IDS = 5  # product pages are requested in turn over this many visible products
BIG_SORT = 1000  # rows: a sort over more than this means the page sorts the catalog
ROTATE_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format(nil, paths[i])
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_url():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/15"
    except OSError:
        return None


class Server:
    """gunicorn with bench.settings on the benchmark's database; ``env`` adds settings."""

    def __init__(self, workers: int = 2, **env):
        self.port = _free_port()
        # Our own cache key prefix: no body cached by an earlier run (another catalog) is seen.
        self.prefix = f"bench-{secrets.token_hex(4)}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DATABASE_NAME": connection.settings_dict["NAME"],
            "BENCH_CACHE_PREFIX": self.prefix,
            **env,
        }
        if _redis_url():
            env["BENCH_REDIS_URL"] = _redis_url()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "backoffice.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline and self.process.poll() is None:
            try:
                if self.get("/bench/minimal/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start (its errors are above)")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, dict(response.getheaders()), body

    def json(self, path):
        status, _, body = self.get(path)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {body[:300]!r}")
        return json.loads(body)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if _redis_url():  # the bodies this server cached are of no use to anybody else
            import redis

            client = redis.Redis.from_url(_redis_url())
            for key in client.scan_iter(f"{self.prefix}:*"):
                client.delete(key)


# Load ------------------------------------------------------------------------------------


def _wrk(port, paths, seconds) -> float:
    # 8 connections keep both sync workers busy; the timeout is for the slowest pages.
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(ROTATE_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        output = subprocess.run(
            [*command, "-s", lua.name, f"http://127.0.0.1:{port}{paths[0]}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{paths[0]}: {non_2xx.group(1)} error responses\n{output}")
    timeouts = re.search(r"timeout (\d+)", output)
    if timeouts and int(timeouts.group(1)):  # unanswered requests would flatter the rate
        raise RuntimeError(f"{paths[0]}: {timeouts.group(1)} requests timed out\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _python_load(port, paths, seconds) -> float:
    """Fallback load: 8 threads with keep-alive connections (slower than wrk; same for all)."""
    stop, counts, errors = time.time() + seconds, [], []

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = 0
        while time.time() < stop:
            conn.request("GET", paths[(index + done) % len(paths)])
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            done += 1
        counts.append(done)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{paths[0]}: error responses {errors[:5]}")
    return sum(counts) / seconds


def _side_by_side(server, ours, drf, rounds, seconds) -> tuple[float, float]:
    """Median requests/second of each list of paths, measured ours, DRF, ours, DRF, … so that
    machine noise hits both alike."""
    load = _wrk if shutil.which("wrk") else _python_load
    slowest = 0.0
    for path in ours + drf:
        for _ in range(4):  # warm both workers: imports, connections, caches
            server.get(path)
        start = time.perf_counter()
        server.json(path)  # and fail here, with the answer, on anything but a 200
        slowest = max(slowest, time.perf_counter() - start)
    # A slow page (a big catalog, uncached) gets longer samples: dozens of answers each, not
    # a handful cut short by the end of the run.
    seconds = max(seconds, min(10, math.ceil(slowest * 15)))
    samples = {"ours": [], "drf": []}
    for _ in range(rounds):
        samples["ours"].append(load(server.port, ours, seconds))
        samples["drf"].append(load(server.port, drf, seconds))
    return statistics.median(samples["ours"]), statistics.median(samples["drf"])


def _line(name, ours, drf, target="") -> str:
    target = f" (target {target})" if target else ""
    return f"  {name:<27} ours {ours:6.0f} req/s  DRF {drf:6.0f} req/s  {ours / drf:5.2f}x{target}"


# Same answers ----------------------------------------------------------------------------


def _difference(ours, theirs, where="") -> str | None:
    """Where two JSON documents first differ, or None."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(ours.keys() | theirs.keys()):
            found = _difference(ours.get(key), theirs.get(key), f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = _difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if ours == theirs else f"{where or 'body'}: {ours!r:.60} vs {theirs!r:.60}"


def _same_answers(server, ids) -> str:
    # Pages compare without next/previous: the links name each implementation's own path.
    page, drf_page = server.json(OURS + PAGE), server.json(DRF + PAGE)
    found = _difference(
        {"count": page["count"], "results": page["results"]},
        {"count": drf_page["count"], "results": drf_page["results"]},
    )
    found = found or _difference(
        server.json(f"{OURS}{PAGE}{ids[0]}/"), server.json(f"{DRF}{PAGE}{ids[0]}/")
    )
    return f"JSON differs at {found}" if found else "same JSON from both"


# PostgreSQL time -------------------------------------------------------------------------


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def _sorted_rows(plan) -> int:
    """The most rows any Sort node takes in (a top-N sort returns fewer than it reads)."""
    most = 0
    for node in _plan_nodes(plan):
        if node["Node Type"] == "Sort":
            source = node.get("Plans", [node])[0]
            most = max(most, source["Actual Rows"] * source["Actual Loops"])
    return most


def _default_page_sql() -> str:
    """EXPLAIN ANALYZE of each SELECT our default page runs when rendered afresh."""
    # The feed alias reads the same database here: route it through the default connection
    # so that one capture sees every query (and a test's database guard allows them).
    feed = connections["feed"]
    connections["feed"] = connection
    try:
        with override_settings(FEED_CACHE_BODIES=False, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            assert client.get(OURS + PAGE).status_code == 200  # plans and buffers warm
            with CaptureQueriesContext(connection) as captured:
                assert client.get(OURS + PAGE).status_code == 200
        selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        plans = []
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plans.append(_json_plan(cursor.fetchone()[0])[0])
    finally:
        connections["feed"] = feed
    if not selects:
        return "  default page SQL: none run; FEED_CACHE_BODIES=False still answers from cache"
    milliseconds = sum(plan["Execution Time"] for plan in plans)
    most = max(_sorted_rows(plan["Plan"]) for plan in plans)
    sorts = f"sorts {most} rows" if most > BIG_SORT else "no full sort"
    return (
        f"  default page SQL: {milliseconds:.2f} ms of PostgreSQL time over {len(selects)} "
        f"queries (target < 2 ms), {sorts}"
    )


def _json_plan(value):
    return json.loads(value) if isinstance(value, str) else value


# The run ---------------------------------------------------------------------------------


def _measure(products: int, repeat: int) -> list[str]:
    reset_catalog()  # exactly ``products``, whatever an earlier benchmark left
    ensure_products(products)
    rounds, seconds = repeat, max(1, repeat // 2)
    sql = _default_page_sql()
    with Server(FEED_CACHE_BODIES="0") as server:
        ids = [product["id"] for product in server.json(OURS + PAGE)["results"][:DETAIL_IDS]]
        same = _same_answers(server, ids)
        page = _side_by_side(server, [OURS + PAGE], [DRF + PAGE], rounds, seconds)
        detail = _side_by_side(
            server,
            [f"{OURS}{PAGE}{pk}/" for pk in ids],
            [f"{DRF}{PAGE}{pk}/" for pk in ids],
            rounds,
            seconds,
        )
    with Server(FEED_CACHE_BODIES="1") as server:
        cached = _side_by_side(server, [OURS + PAGE], [DRF_CACHED + PAGE], rounds, seconds)
        # The ceiling: a view returning a constant body through the same server and
        # middleware. No cached page can beat DRF's cached page by more than this ratio.
        ceiling = _side_by_side(server, ["/bench/minimal/"], [DRF_CACHED + PAGE], rounds, seconds)
    floor_line = (
        f"  minimal Django view       {ceiling[0]:6.0f} req/s  DRF cached {ceiling[1]:6.0f} req/s"
        f"  {ceiling[0] / ceiling[1]:5.2f}x (the most any cached page could reach here)"
    )
    return [
        f" {products} products with 6 variants and 3 images each ({same}):",
        _line("products page, uncached", *page, "3x"),
        _line("product page, uncached", *detail, "3x"),
        _line("products page, cached", *cached, "10x"),
        floor_line,
        sql,
    ]


def run(products: int = 100_000, repeat: int = 5) -> list[str]:
    client = "wrk" if shutil.which("wrk") else "Python client (install wrk for sharper figures)"
    cache_name = "Redis cache" if _redis_url() else "local-memory cache"
    lines = [
        f"Feed under gunicorn (2 workers, {client}, {cache_name}): ours (django-ninja) and "
        "idiomatic DRF (bench/drf_feed.py) on the same server, requests interleaved"
    ]
    for size in sorted({max(1, products // 10), products}):
        lines += _measure(size, repeat)
    return lines
