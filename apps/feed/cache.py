"""The feed's cache: a catalog version that every change bumps after commit.

A rendered body is stored with the version it was rendered under; a bump makes every stored
body stale at once, on every web instance sharing the cache (Redis in production). The
version is also the feed's ETag and Last-Modified, so a conditional request is answered 304
from the cache alone. :class:`FeedCacheMiddleware` answers hits and 304s before URL routing,
sessions or the API framework run; misses go to the view, which renders and stores.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from email.utils import formatdate
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.http import parse_http_date_safe

VERSION_KEY = "feed:catalog-version"
BODY_TIMEOUT = 60 * 60  # seconds; a bump makes old entries stale long before
# Near cache: each process keeps the version for up to a second and its hottest bodies, so
# a hit costs no network round trip. A change made by another instance is seen within a
# second; a change made by this process is seen at once.
LOCAL_VERSION_TTL = 1.0
LOCAL_BODIES = 256
CACHE_CONTROL = "public, max-age=60, s-maxage=60, stale-while-revalidate=300"
FEED_PREFIX = "/api/"
NOT_CACHED = ("/api/docs", "/api/openapi.json")


class _Local:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.version: int | None = None
        self.checked = 0.0
        self.bodies: OrderedDict[str, tuple[int, bytes]] = OrderedDict()

    def body(self, key: str, version: int) -> bytes | None:
        with self.lock:
            entry = self.bodies.get(key)
            if entry is None or entry[0] != version:
                return None
            self.bodies.move_to_end(key)
            return entry[1]

    def keep(self, key: str, version: int, body: bytes) -> None:
        with self.lock:
            self.bodies[key] = (version, body)
            self.bodies.move_to_end(key)
            while len(self.bodies) > LOCAL_BODIES:
                self.bodies.popitem(last=False)


_local = _Local()


def reset_local() -> None:
    """Forget this process's near cache (tests, after clearing the shared cache)."""
    _local.reset()


def _new_version() -> int:
    return int(time.time() * 1000)


def current_version() -> int:
    """Milliseconds since the epoch of the last catalog change."""
    now = time.monotonic()
    if _local.version is not None and now - _local.checked < LOCAL_VERSION_TTL:
        return _local.version
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _new_version()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    _local.version, _local.checked = version, now
    return version


def _bump() -> None:
    # Strictly increasing even when two changes land in the same millisecond.
    version = max(_new_version(), (cache.get(VERSION_KEY) or 0) + 1)
    cache.set(VERSION_KEY, version, timeout=None)
    _local.version, _local.checked = version, time.monotonic()


def catalog_changed() -> None:
    """Mark the feed stale once the current transaction commits (at once outside one)."""
    transaction.on_commit(_bump)


def _on_change(sender, **kwargs):
    catalog_changed()


def connect_signals() -> None:
    from apps.catalog.models import Category, CoverageLevel, Product, ProductImage, ProductVariant
    from apps.catalog.signals import catalog_bulk_changed
    from apps.outfits.models import Outfit, OutfitItem
    from apps.users.models import User

    catalog_bulk_changed.connect(_on_change, dispatch_uid="feed-bulk-change")
    # Users too: an outfit shows its creator's username and picture.
    for model in (
        Category,
        CoverageLevel,
        Product,
        ProductImage,
        ProductVariant,
        Outfit,
        OutfitItem,
        User,
    ):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"feed-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"feed-{model.__name__}-del")


# Keys, validators and responses ----------------------------------------------------------


def full_url(request) -> str:
    query = urlencode(sorted(request.GET.items()))
    return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")


def body_key(url: str) -> str:
    return f"feed:body:{hashlib.sha256(url.encode()).hexdigest()}"


def etag_for(version: int, url: str) -> str:
    return f'"{version:x}-{hashlib.sha1(url.encode()).hexdigest()[:16]}"'


def not_modified(request, etag: str, version: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and since >= version // 1000


def respond(request, body: bytes | None, etag: str, version: int) -> HttpResponse:
    """A 200 with ``body``, or a 304 when ``body`` is None; with the validators."""
    if body is None:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        if request.method == "HEAD":
            response.content = b""
    response["ETag"] = etag
    response["Last-Modified"] = formatdate(version / 1000, usegmt=True)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def lookup(request):
    """The cached answer to ``request`` (200 or 304), or None when the view must render."""
    url = full_url(request)
    version = current_version()
    etag = etag_for(version, url)
    if not_modified(request, etag, version):
        return respond(request, None, etag, version)
    key = body_key(url)
    body = _local.body(key, version)
    if body is None:
        stored = cache.get(key)  # rendered by another process?
        if stored is None or stored[0] != version:
            return None
        body = stored[1]
        _local.keep(key, version, body)
    return respond(request, body, etag, version)


def store(request, version: int, body: bytes) -> HttpResponse:
    url = full_url(request)
    key = body_key(url)
    cache.set(key, (version, body), BODY_TIMEOUT)
    _local.keep(key, version, body)
    return respond(request, body, etag_for(version, url), version)


class FeedCacheMiddleware:
    """Answer cached feed requests before the rest of the stack runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and request.path.startswith(FEED_PREFIX)
            and not request.path.startswith(NOT_CACHED)
        ):
            response = lookup(request)
            if response is not None:
                return response
        return self.get_response(request)
