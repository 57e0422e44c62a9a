"""Rows to the contract's JSON shapes: money as strings, UTC times, absolute URLs."""

from datetime import UTC
from functools import lru_cache

from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver

from apps.catalog.models import ProductVariant

SIZE_LABELS = dict(ProductVariant.Size.choices)


def money(value) -> str:
    return f"{value:.2f}"


def utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=20_000)
def _storage_url(name: str) -> str:
    # A stored file's name never changes meaning (uploads get fresh names), so its URL is
    # built once per process; Cloudinary's URL builder is not cheap.
    return default_storage.url(name)


@receiver(setting_changed)
def _forget_urls(setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_URL"):
        _storage_url.cache_clear()


class Renderer:
    """Renders for one request: media URLs are made absolute against its host."""

    def __init__(self, request):
        self.host = f"{request.scheme}://{request.get_host()}"

    def url(self, name: str) -> str | None:
        if not name:
            return None
        url = _storage_url(name)
        return url if url.startswith(("http://", "https://")) else self.host + url

    @staticmethod
    def category(category) -> dict:
        return {"id": category.pk, "name": category.name, "slug": category.slug}

    @staticmethod
    def coverage(level) -> dict | None:
        if level is None:
            return None
        return {"id": level.pk, "name": level.name, "description": level.description}

    def products(self, rows: list[dict]) -> list[dict]:
        """Product rows (apps/feed/selectors.py), with their images and active variants."""
        return [self._product(row, row["feed_images"], row["feed_variants"]) for row in rows]

    def _product(self, row, images, variants) -> dict:
        url = self.url
        data = {
            "id": row["id"],
            "name": row["name"],
            "slug": row["slug"],
            "description": row["description"],
            "base_price": money(row["base_price"]),
            "category": {
                "id": row["category_id"],
                "name": row["category__name"],
                "slug": row["category__slug"],
            },
            "coverage_level": None
            if row["coverage_level_id"] is None
            else {
                "id": row["coverage_level_id"],
                "name": row["coverage_level__name"],
                "description": row["coverage_level__description"],
            },
            "is_featured": row["is_featured"],
            "in_stock": any(variant[4] > 0 for variant in variants),
            "date_added": utc(row["date_added"]),
            "images": [
                {"id": pk, "image": url(image), "thumbnail": url(thumb), "is_feature": feature}
                for pk, image, thumb, feature in images
            ],
            "variants": [
                {
                    "id": pk,
                    "sku": sku,
                    "size": SIZE_LABELS[size],
                    "color": color,
                    "stock_available": stock,
                    "is_active": True,
                }
                for pk, sku, size, color, stock in variants
            ],
        }
        if "category__parent_id" in row:
            parent = row["category__parent_id"]
            data["category"]["parent"] = (
                None
                if parent is None
                else {
                    "id": parent,
                    "name": row["category__parent__name"],
                    "slug": row["category__parent__slug"],
                }
            )
        return data

    def outfit(self, outfit, preview: list[str]) -> dict:
        user = outfit.user
        return {
            "id": outfit.pk,
            "name": outfit.name,
            "description": outfit.description,
            "created_by": {
                "username": user.username,
                "profile_picture_url": self.url(user.profile_picture.name),
            },
            "items_count": outfit.shown_items,
            "total_price": money(outfit.shown_total),
            "preview_images": [self.url(name) for name in preview[:3] if name],
            "created_at": utc(outfit.created_at),
        }

    def outfit_summary(self, outfit) -> dict:
        """An outfit of the list: thumbnails annotated on its shown items."""
        return self.outfit(outfit, [item.feed_thumbnail for item in outfit.feed_items[:3]])

    def outfit_detail(self, outfit, items, products: dict[int, dict]) -> dict:
        """``items``: its shown items in order; ``products``: their rendered products by id."""
        preview = []
        for item in items[:3]:
            images = products[item.product_id]["images"]
            preview.append(images[0]["thumbnail"] if images else None)
        data = self.outfit(outfit, [])
        data["preview_images"] = [url for url in preview if url]
        data["updated_at"] = utc(outfit.updated_at)
        data["items"] = [
            {"id": item.pk, "position": item.position, "product": products[item.product_id]}
            for item in items
        ]
        return data
