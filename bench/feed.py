"""The storefront feed under gunicorn: requests per second for a 20-product page uncached,
cached and answered 304, each against a minimal Django view on the same server, same run.

Targets (issue #6): uncached >= 0.3x the minimal view, cached >= 0.8x.
Load comes from wrk when installed (Debian's wrk), else from a small Python client.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.db import connection

from bench.common import ensure_products, reset_catalog

ROOT = Path(__file__).resolve().parent.parent
PAGE = "/api/catalog/products/?page_size=20"
BUST_SCRIPT = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format(nil, "%s&bust=" .. math.random(1, 2000000000))
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
    def __init__(self, workers: int = 2):
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_DATABASE_NAME": connection.settings_dict["NAME"],
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
                "2",
                "--log-level",
                "warning",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.get("/bench/minimal/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, dict(response.getheaders()), body

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def _wrk(port, path, seconds, headers=(), script=None) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
    if script:
        command += ["-s", lua.name]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(lua.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{path}: {non_2xx.group(1)} error responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _python_load(port, path, seconds, headers=(), bust=False) -> float:
    """Fallback load: 8 threads with keep-alive connections (slower than wrk; same for all)."""
    stop, counts, errors = time.time() + seconds, [], []
    extra = dict(h.split(": ", 1) for h in headers)

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = 0
        while time.time() < stop:
            url = f"{path}&bust={index}-{done}" if bust else path
            conn.request("GET", url, headers=extra)
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 304):
                errors.append(response.status)
            done += 1
        counts.append(done)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{path}: error responses {errors[:5]}")
    return sum(counts) / seconds


def run(products: int = 10_000, repeat: int = 5) -> list[str]:
    reset_catalog()
    ensure_products(products)
    seconds = max(1, min(repeat, 10))
    use_wrk = shutil.which("wrk") is not None
    server = Server()
    try:
        status, headers, _ = server.get(PAGE)
        assert status == 200, status
        etag = headers["ETag"]

        def load(path, headers=(), bust=False):
            if use_wrk:
                return _wrk(
                    server.port, path, seconds, headers, BUST_SCRIPT % path if bust else None
                )
            return _python_load(server.port, path, seconds, headers, bust)

        minimal = load("/bench/minimal/?x=1")
        uncached = load(PAGE, bust=True)
        cached = load(PAGE)
        not_modified = load(PAGE, headers=[f"If-None-Match: {etag}"])
        minimal_again = load("/bench/minimal/?x=1")
    finally:
        server.stop()
    floor = (minimal + minimal_again) / 2
    client = "wrk" if use_wrk else "Python client (install wrk for sharper figures)"
    cache_name = "Redis cache" if _redis_url() else "local-memory cache"
    return [
        f"Feed under gunicorn (2 workers, {client}, {cache_name}): 20-product page, "
        f"{products} products with 6 variants and 3 images each",
        f"  minimal Django view      {floor:9.0f} req/s  1.00x",
        f"  products page, uncached  {uncached:9.0f} req/s  {uncached / floor:.2f}x (target 0.3x)",
        f"  products page, cached    {cached:9.0f} req/s  {cached / floor:.2f}x (target 0.8x)",
        f"  products page, 304       {not_modified:9.0f} req/s  {not_modified / floor:.2f}x",
    ]
