"""Admin changelists at shop scale: the product and stock lists at 1k and 100k products, and
against the same columns served by a plain, default ``ModelAdmin``.

Targets (issue #3): a page at 100k within 1.5x of the page at 1k; at least 10x faster than
the default ModelAdmin at 100k.
"""

from django.contrib import admin
from django.db import connection
from django.test import Client, override_settings
from django.urls import include, path
from unfold.admin import ModelAdmin
from unfold.sites import UnfoldAdminSite

from apps.catalog.models import Product, ProductVariant
from bench.common import bench_user, ensure_products, interleaved, reset_catalog

# unfold's templates replace Django's everywhere, so the baseline is unfold's ModelAdmin with
# Django's defaults: exact COUNT(*) pagination and one query per related cell.
plain_site = UnfoldAdminSite(name="plain")


@admin.register(Product, site=plain_site)
class PlainProductAdmin(ModelAdmin):
    """What the page would be without the work in apps/catalog/admin: the same columns."""

    list_display = ["name", "category", "coverage_level", "base_price", "stock", "variants"]
    list_per_page = 50

    def stock(self, product):
        return sum(v.stock_available for v in product.variants.all() if v.is_active)

    def variants(self, product):
        return product.variants.count()


@admin.register(ProductVariant, site=plain_site)
class PlainVariantAdmin(ModelAdmin):
    list_display = ["sku", "product", "size", "color", "stock_available", "is_active"]
    list_per_page = 100


urlpatterns = [path("plain/", plain_site.urls), path("", include("backoffice.urls"))]

PAGES = {
    "products": ("/admin/catalog/product/", "/plain/catalog/product/"),
    "stock": ("/admin/catalog/productvariant/", "/plain/catalog/productvariant/"),
}


def _client() -> Client:
    client = Client()
    client.force_login(bench_user())
    return client


def _get(client, url):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    return fetch


def run(products: int = 100_000, repeat: int = 7) -> list[str]:
    small = max(products // 100, 10)
    lines = [f"Admin changelists: {small} vs {products} products (6 variants each)"]
    with override_settings(ROOT_URLCONF="bench.changelists", ALLOWED_HOSTS=["testserver"]):
        reset_catalog()
        ensure_products(small)
        client = _client()
        at_small = interleaved({n: _get(client, u[0]) for n, u in PAGES.items()}, repeat)
        ensure_products(products)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timings = interleaved(
            {
                **{f"{n} (ours)": _get(client, u[0]) for n, u in PAGES.items()},
                **{f"{n} (default ModelAdmin)": _get(client, u[1]) for n, u in PAGES.items()},
            },
            repeat,
        )
    for name in PAGES:
        ours, plain = timings[f"{name} (ours)"], timings[f"{name} (default ModelAdmin)"]
        lines.append(
            f"  {name:<10} {at_small[name] * 1000:8.1f} ms at {small}, {ours * 1000:8.1f} ms at "
            f"{products}: {ours / at_small[name]:5.2f}x the small page (target <= 1.5x); "
            f"default ModelAdmin {plain * 1000:8.1f} ms: ours is {plain / ours:5.1f}x faster "
            f"(target >= 10x)"
        )
    return lines
