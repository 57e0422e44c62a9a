"""Health endpoints for Render and for people.

``/healthz``: the process answers (no database, no cache): Render's health check.
``/health``: the database and the cache answer, with timings; 503 when one does not.
"""

import time

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _timed(check):
    start = time.perf_counter()
    try:
        check()
    except Exception as error:  # a health check reports every failure, whatever it is
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 2)}


def _database(alias):
    def check():
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")

    return check


def _cache():
    cache.set("health:probe", "1", timeout=10)
    if cache.get("health:probe") != "1":
        raise RuntimeError("cache did not keep a value")


@never_cache
def health(request):
    checks = {f"database:{alias}": _timed(_database(alias)) for alias in connections}
    checks["cache"] = _timed(_cache)
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
