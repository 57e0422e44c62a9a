"""Health endpoints for Render and for people.

``/healthz``: the process answers (no database, no cache): Render's health check.
``/health``: "ok" when the databases and the cache answer; "degraded" (still 200) when only
the cache does not — the feed then answers from PostgreSQL, slower; "unavailable" (503) when a
database does not. Details (aliases,
timings, error classes) only for signed-in staff and for monitors that send the
``HEALTH_TOKEN`` as a bearer token: to anybody else they would map the infrastructure.
"""

import hmac
import time

from django.conf import settings
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


def may_see_details(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff and user.is_active:
        return True
    token = settings.HEALTH_TOKEN
    sent = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@never_cache
def health(request):
    checks = {f"database:{alias}": _timed(_database(alias)) for alias in connections}
    databases_up = all(check["ok"] for check in checks.values())
    checks["cache"] = _timed(_cache)
    if not databases_up:
        status = "unavailable"
    else:
        status = "ok" if checks["cache"]["ok"] else "degraded"
    body = {"status": status}
    if may_see_details(request):
        body["checks"] = checks
    return JsonResponse(body, status=503 if status == "unavailable" else 200)
