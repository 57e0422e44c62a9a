"""Shared helpers: a side-by-side timer and a benchmark database of a given size."""

import io
import statistics
import time
from collections.abc import Callable

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection

from apps.catalog.models import Product
from apps.users.models import User


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches and plans: the first run measures the cold start, not the code
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(candidates: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median time of each candidate, measured in alternation so machine noise hits all alike."""
    samples = {name: [] for name in candidates}
    for fn in candidates.values():
        fn()
    for _ in range(repeat):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def ensure_products(count: int) -> None:
    missing = count - Product.objects.count()
    if missing > 0:
        call_command(
            "generate_synthetic",
            "--products",
            str(missing),
            "--allow-without-debug",
            "--no-progress",
            stdout=io.StringIO(),
        )


def report(title: str, timings: dict[str, float], baseline: str) -> list[str]:
    lines = [title]
    for name, seconds in timings.items():
        ratio = timings[baseline] / seconds if seconds else float("inf")
        lines.append(f"  {name:<40} {seconds * 1000:9.2f} ms   {ratio:6.1f}x vs {baseline}")
    return lines


def reset_catalog() -> None:
    """Empty the catalog (and what hangs off it) so a benchmark can build its exact size."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalog_product, catalog_productvariant, catalog_productimage, "
            "orders_order, orders_orderitem, orders_cartitem, orders_wishlist, "
            "outfits_outfititem RESTART IDENTITY CASCADE"
        )


def bench_user() -> User:
    """The superuser the benchmarks sign in as (every figure, every page)."""
    user = User.objects.filter(email="bench@modestwear.example").first()
    return user or User.objects.create_superuser("bench@modestwear.example", "bench-password-1")


def session_cookie(user: User) -> str:
    """A ``Cookie`` header signed in as ``user``, for servers that share this database."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"
