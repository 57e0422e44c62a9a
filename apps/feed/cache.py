"""The feed's cache: a catalog version that every change bumps after commit.

Rendered bodies are cached under the version current when they were rendered, so a bump makes
every cached page stale at once, on every web instance sharing the cache (Redis in
production). The version is also the feed's ETag and Last-Modified, so a conditional request
is answered 304 from the cache alone, without a query or a render.
"""

import hashlib
import time
from email.utils import formatdate

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "feed:catalog-version"
BODY_TIMEOUT = 60 * 60  # seconds; a bump makes old entries unreachable long before


def current_version() -> int:
    """Milliseconds since the epoch of the last catalog change seen by this cache."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = int(time.time() * 1000)
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


def _bump() -> None:
    # Strictly increasing even when two changes land in the same millisecond.
    version = max(int(time.time() * 1000), (cache.get(VERSION_KEY) or 0) + 1)
    cache.set(VERSION_KEY, version, timeout=None)


def catalog_changed() -> None:
    """Mark the feed stale once the current transaction commits (at once outside one)."""
    transaction.on_commit(_bump)


def _on_change(sender, **kwargs):
    catalog_changed()


def connect_signals() -> None:
    from apps.catalog.signals import catalog_bulk_changed

    catalog_bulk_changed.connect(_on_change, dispatch_uid="feed-bulk-change")

    from apps.catalog.models import Category, CoverageLevel, Product, ProductImage, ProductVariant
    from apps.outfits.models import Outfit, OutfitItem
    from apps.users.models import User

    # Users: an outfit shows its creator's username and picture.
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


def http_date(version: int) -> str:
    return formatdate(version / 1000, usegmt=True)


def body_key(version: int, full_url: str) -> str:
    return f"feed:body:{version}:{hashlib.sha256(full_url.encode()).hexdigest()}"
