"""Product search: the GIN full-text path against the ILIKE scan it replaces."""

from django.db.models import Q

from apps.catalog.models import Product
from apps.catalog.selectors import product_search
from bench.common import ensure_products, interleaved, report, reset_catalog


def run(products: int = 100_000, repeat: int = 15) -> list[str]:
    reset_catalog()  # exactly ``products``, whatever an earlier benchmark left
    ensure_products(products)
    words = ["linen", "abaya"]

    def full_text():
        return list(product_search(Product.objects.all(), " ".join(words)).values_list("pk")[:50])

    def ilike_scan():
        query = Q()
        for word in words:
            query &= Q(name__icontains=word) | Q(description__icontains=word)
        return list(Product.objects.filter(query).values_list("pk")[:50])

    timings = interleaved({"ILIKE scan": ilike_scan, "GIN full-text search": full_text}, repeat)
    return report(f"Product search over {Product.objects.count()} products", timings, "ILIKE scan")
