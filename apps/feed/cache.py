"""The feed's cache: each body rendered once per catalog version, hits answered before routing.

**Version.** PostgreSQL keeps the catalog version (migration ``feed/0001``): a transaction that
changes anything the feed shows raises it when it commits, whoever wrote it — the admin, an
import, psql, another application. Each process reads it at most once per
``FEED_VERSION_TTL`` seconds, through the feed's database alias, so the version and the data
come from the same server (the replica, when there is one).

**Keys.** A body is stored under a key built from the validated, normalised request: the
endpoint, its path ids and the values of the parameters it declares. Unknown parameters
(``utm_source=…``) change nothing, and an invalid request is never looked up or stored.

**Where.** In this process (an LRU bounded in bytes), and in the shared cache (Redis in
production) so every web instance reuses what one rendered. When the shared cache fails, a
circuit breaker stops asking it for ``BREAKER_SECONDS`` and the feed answers from PostgreSQL;
each opening is a warning in the log.

**Conditional requests** are answered 304 only for a resource that exists: from a stored body,
or after rendering one.
"""

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from email.utils import formatdate
from typing import NamedTuple, get_args, get_origin

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import parse_http_date_safe
from pydantic import ValidationError

logger = logging.getLogger(__name__)

BODY_TIMEOUT = 60 * 60  # seconds in the shared cache; a new version makes bodies stale sooner
LOCAL_BYTES = 32 * 1024 * 1024  # this process's bodies, at most
BREAKER_SECONDS = 5.0
CACHE_CONTROL = "public, max-age=60, s-maxage=60, stale-while-revalidate=300"
FEED_PREFIX = "/api/"
NOT_CACHED = ("/api/docs", "/api/openapi.json")


class Version(NamedTuple):
    number: int
    changed_at: float  # seconds since the epoch

    @property
    def tag(self) -> str:
        # The time as well as the number: after a database restore, numbers are reused but
        # the new changes' times are not, so bodies of the abandoned history never match.
        return f"{self.number:x}.{int(self.changed_at * 1_000_000):x}"


# The version ---------------------------------------------------------------------------------


class _VersionReader:
    def __init__(self):
        self.reset()

    def reset(self):
        self.value: Version | None = None
        self.read_at = 0.0

    def get(self) -> Version:
        now = time.monotonic()
        if self.value is None or now - self.read_at >= settings.FEED_VERSION_TTL:
            with connections["feed"].cursor() as cursor:
                cursor.execute(
                    "SELECT version, extract(epoch FROM changed_at)::float8 "
                    "FROM feed_catalog_version WHERE id = 1"
                )
                row = cursor.fetchone()
            self.value = Version(int(row[0]), float(row[1])) if row else Version(0, 0.0)
            self.read_at = now
        return self.value


_version = _VersionReader()


def current_version() -> Version:
    return _version.get()


def request_version(request) -> Version:
    """The version a request is answered under: read once, whoever asks during it."""
    version = getattr(request, "feed_version", None)
    if version is None:
        version = request.feed_version = current_version()
    return version


# The shared cache, behind a circuit breaker --------------------------------------------------


class Breaker:
    """Skips the shared cache for ``seconds`` after it fails, so requests do not each wait
    for a dead server; the feed then answers from PostgreSQL."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.open_until = 0.0

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def call(self, operation, fallback=None):
        if self.is_open:
            return fallback
        try:
            return operation()
        except Exception as error:  # whatever the client raises, the feed answers without it
            self.open_until = time.monotonic() + self.seconds
            logger.warning(
                "Shared cache unavailable (%s: %s); the feed answers from PostgreSQL and "
                "retries the cache in %.0f s.",
                type(error).__name__,
                error,
                self.seconds,
            )
            return fallback


shared = Breaker(BREAKER_SECONDS)


# This process's bodies -----------------------------------------------------------------------


class _LocalBodies:
    """Least recently used bodies, at most ``limit`` bytes in all."""

    def __init__(self, limit: int):
        self.limit = limit
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.entries: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.size = 0

    def get(self, key: str, version: str) -> bytes | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, version: str, body: bytes) -> None:
        if len(body) > self.limit // 8:  # one huge body must not flush everything else
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            self.entries[key] = (version, body)
            self.size += len(body)
            while self.size > self.limit:
                _, (_, dropped) = self.entries.popitem(last=False)
                self.size -= len(dropped)


_local = _LocalBodies(LOCAL_BYTES)


def reset_local() -> None:
    """Forget this process's version and bodies (tests)."""
    _version.reset()
    _local.reset()
    _keys.keys.clear()
    shared.open_until = 0.0


def cached_value(key: str, version: str, compute):
    """``compute()``, kept per catalog version in this process and the shared cache
    (counts of a filtered list, shared by all its pages)."""
    value = _local.get(key, version)
    if value is not None:
        return json.loads(value)
    stored = shared.call(lambda: cache.get(key))
    if stored is not None and stored[0] == version:
        value = stored[1]
    else:
        value = json.dumps(compute()).encode()
        shared.call(lambda: cache.set(key, (version, value), BODY_TIMEOUT))
    _local.put(key, version, value)
    return json.loads(value)


# Keys ----------------------------------------------------------------------------------------

# Operation name -> the schema of its query parameters (None: it takes none).
CACHED_OPERATIONS: dict[str, type | None] = {}


def _repeats(annotation) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(arg) is list for arg in get_args(annotation))


def query_values(schema, querydict) -> dict:
    """The parameters ``schema`` declares, as django-ninja reads them (lists repeat)."""
    values = {}
    for name, field in schema.model_fields.items():
        if name in querydict:
            values[name] = (
                querydict.getlist(name) if _repeats(field.annotation) else querydict[name]
            )
    return values


class _KeyMemo:
    """Raw request (scheme, host, path, query string) -> its key, for the most recent ones:
    resolving and validating cost more than answering a hit from memory."""

    def __init__(self, size: int):
        self.size = size
        self.lock = threading.Lock()
        self.keys: OrderedDict[tuple, str | None] = OrderedDict()

    def get(self, raw: tuple, compute):
        with self.lock:
            if raw in self.keys:
                self.keys.move_to_end(raw)
                return self.keys[raw]
        key = compute()
        with self.lock:
            self.keys[raw] = key
            if len(self.keys) > self.size:
                self.keys.popitem(last=False)
        return key


_keys = _KeyMemo(10_000)


def request_key(request) -> str | None:
    """The normalised request as a cache key, or None when it is not a valid cached one."""
    raw = (
        request.scheme,
        request.get_host(),
        request.path_info,
        request.META.get("QUERY_STRING", ""),
    )
    return _keys.get(raw, lambda: _normalised_key(request))


def _normalised_key(request) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.namespace != "feed" or match.url_name not in CACHED_OPERATIONS:
        return None
    parts = [request.scheme, request.get_host(), match.url_name]
    for name, raw in sorted(match.kwargs.items()):
        if not raw or "\x00" in raw:
            return None
        number = name.endswith("_id") and raw.isascii() and raw.isdigit()  # ids, not slugs
        parts.append(f"{name}={int(raw) if number else raw}")
    schema = CACHED_OPERATIONS[match.url_name]
    if schema is not None:
        try:
            params = schema.model_validate(query_values(schema, request.GET))
        except ValidationError:
            return None
        parts.append(json.dumps(params.model_dump(mode="json"), sort_keys=True))
    return "feed:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


# Responses -----------------------------------------------------------------------------------


def etag_for(key: str, version: Version) -> str:
    return f'"{version.tag}-{key[5:21]}"'


def not_modified(request, etag: str, version: Version) -> bool:
    """Whether the client's copy is current; only asked about a resource that exists."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and _dated(version) and since >= int(version.changed_at)


def _dated(version: Version) -> bool:
    """Whether Last-Modified may be used: dates have whole seconds, so until the second of
    the latest change has passed, another change could come with the same date."""
    return time.time() - version.changed_at >= 1


def respond(request, body: bytes, key: str | None, version: Version) -> HttpResponse:
    """A 200 with ``body`` or a 304, with validators when the request has a key."""
    etag = etag_for(key, version) if key else None
    if etag and not_modified(request, etag, version):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            b"" if request.method == "HEAD" else body,
            content_type="application/json; charset=utf-8",
        )
        response["Content-Length"] = str(len(body))
    if etag:
        response["ETag"] = etag
        if _dated(version):
            response["Last-Modified"] = formatdate(int(version.changed_at), usegmt=True)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def lookup(key: str, version: Version) -> bytes | None:
    body = _local.get(key, version.tag)
    if body is None:
        stored = shared.call(lambda: cache.get(key))  # rendered by another process?
        if stored is None or stored[0] != version.tag:
            return None
        body = stored[1]
        _local.put(key, version.tag, body)
    return body


def store(key: str, version: Version, body: bytes) -> None:
    if not settings.FEED_CACHE_BODIES:
        return
    _local.put(key, version.tag, body)
    shared.call(lambda: cache.set(key, (version.tag, body), BODY_TIMEOUT))


def json_error(response) -> HttpResponse:
    """Django's and the router's own 4xx answers (404 for an unknown path, 405) as JSON."""
    if response.status_code < 400 or "json" in response.get("Content-Type", ""):
        return response
    reasons = {
        404: "No such feed resource.",
        405: f"Method not allowed; use {response.get('Allow', 'GET, HEAD')}.",
    }
    detail = reasons.get(response.status_code, response.reason_phrase)
    replaced = JsonResponse({"detail": detail}, status=response.status_code)
    if "Allow" in response:
        replaced["Allow"] = response["Allow"]
    return replaced


class FeedCacheMiddleware:
    """Answer cached feed requests before the rest of the stack runs; errors as JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(FEED_PREFIX):
            return self.get_response(request)
        if request.method in ("GET", "HEAD") and not request.path.startswith(NOT_CACHED):
            try:
                key = request.feed_cache_key = request_key(request)
            except DisallowedHost as error:
                logger.warning("Feed request refused: %s", error)
                return JsonResponse({"detail": "Invalid Host header."}, status=400)
            if key is not None and settings.FEED_CACHE_BODIES:
                try:
                    version = request_version(request)
                except OperationalError:  # the view answers 503 with a reason (apps/feed/api.py)
                    return json_error(self.get_response(request))
                body = lookup(key, version)
                if body is not None:
                    return respond(request, body, key, version)
        return json_error(self.get_response(request))
