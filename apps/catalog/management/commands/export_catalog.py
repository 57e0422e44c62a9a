"""Stream an export to a CSV file without holding it in memory.

python manage.py export_catalog variants --output variants.csv
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from apps.catalog.models import Category, Product, ProductVariant
from apps.catalog.resources import CategoryResource, ProductResource, VariantExportResource
from apps.toolkit.importing import stream_csv

EXPORTS = {
    "categories": (CategoryResource, lambda: Category.objects.order_by("tree_id", "lft")),
    "products": (
        ProductResource,
        lambda: Product.objects.select_related("category", "coverage_level").order_by("pk"),
    ),
    "variants": (
        VariantExportResource,
        lambda: ProductVariant.objects.select_related("product", "coverage").order_by("pk"),
    ),
}


class Command(BaseCommand):
    help = "Export categories, products or variants as CSV, streamed."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(EXPORTS))
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, resource, output, **options):
        resource_class, queryset = EXPORTS[resource]
        chunks = stream_csv(resource_class().export_rows(queryset()))
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        self.stderr.write(f"Wrote {output}.")
