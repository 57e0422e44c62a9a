"""Objects to the contract's JSON shapes: money as strings, UTC times, absolute URLs."""

from datetime import UTC

from django.core.files.storage import default_storage

from apps.catalog.models import ProductVariant

SIZE_LABELS = dict(ProductVariant.Size.choices)


def money(value) -> str:
    return f"{value:.2f}"


def utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Renderer:
    """Renders for one request: media URLs are made absolute against its host."""

    def __init__(self, request):
        self.request = request

    def url(self, name: str) -> str | None:
        if not name:
            return None
        url = default_storage.url(name)
        return (
            url if url.startswith(("http://", "https://")) else self.request.build_absolute_uri(url)
        )

    def category(self, category) -> dict:
        return {"id": category.pk, "name": category.name, "slug": category.slug}

    def coverage(self, level) -> dict | None:
        if level is None:
            return None
        return {"id": level.pk, "name": level.name, "description": level.description}

    def product(self, product) -> dict:
        return {
            "id": product.pk,
            "name": product.name,
            "slug": product.slug,
            "description": product.description,
            "base_price": money(product.base_price),
            "category": self.category(product.category),
            "coverage_level": self.coverage(product.coverage_level),
            "is_featured": product.is_featured,
            "date_added": utc(product.date_added),
            "images": [
                {
                    "id": image.pk,
                    "image": self.url(image.image.name),
                    "thumbnail": self.url(image.thumbnail.name),
                    "is_feature": image.is_feature,
                }
                for image in product.feed_images
            ],
            "variants": [
                {
                    "id": variant.pk,
                    "sku": variant.sku,
                    "size": SIZE_LABELS[variant.size],
                    "color": variant.color,
                    "stock_available": variant.stock_available,
                    "is_active": variant.is_active,
                }
                for variant in product.feed_variants
            ],
        }

    def product_detail(self, product) -> dict:
        data = self.product(product)
        parent = product.category.parent
        data["category"]["parent"] = self.category(parent) if parent else None
        return data

    def outfit(self, outfit) -> dict:
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
            "preview_images": [self.url(name) for name in self._preview_names(outfit)],
            "created_at": utc(outfit.created_at),
        }

    @staticmethod
    def _preview_names(outfit) -> list[str]:
        """Thumbnails of the first three items by position."""
        if hasattr(outfit, "feed_items"):  # the list: thumbnails annotated on the items
            names = [item.feed_thumbnail for item in outfit.feed_items[:3]]
        else:  # the detail: products and their images are there already
            names = [
                item.product.feed_images[0].thumbnail.name if item.product.feed_images else ""
                for item in outfit.feed_full_items[:3]
            ]
        return [name for name in names if name]

    def outfit_detail(self, outfit) -> dict:
        data = self.outfit(outfit)
        data["updated_at"] = utc(outfit.updated_at)
        data["items"] = [
            {"id": item.pk, "position": item.position, "product": self.product(item.product)}
            for item in outfit.feed_full_items
        ]
        return data
