"""Imports on the bulk path against import-export's default row-by-row path and plain COPY.

- a stock update of N variants by SKU (new levels);
- the creation of N products (category by slug, coverage level by name);
- exporting variants: streamed CSV against import-export's in-memory export (peak memory).

Target (issue #5): the bulk path at least 10x faster than the default path, with the same
validation and a history row per changed object.
"""

import io
import time
import tracemalloc

from django.db import connection, transaction
from import_export.instance_loaders import ModelInstanceLoader

from apps.access.policy import system_actor
from apps.catalog.models import Category, CoverageLevel, ProductVariant
from apps.catalog.resources import ProductResource, StockUpdateResource, VariantExportResource
from apps.toolkit.guarded import guarded_write
from apps.toolkit.importing import CSV, describe_errors, stream_csv
from bench.common import ensure_products


class RowByRowStock(StockUpdateResource):
    """import-export's default path: one save() per row. Stock is guarded (only the stock
    service writes it), so the bench opens the guard for this comparison alone."""

    class Meta(StockUpdateResource.Meta):
        use_bulk = False
        instance_loader_class = ModelInstanceLoader

    def save_instance(self, instance, is_create, row, **kwargs):
        with guarded_write(ProductVariant, "stock_available"):
            super().save_instance(instance, is_create, row, **kwargs)


class RowByRowProducts(ProductResource):
    class Meta(ProductResource.Meta):
        use_bulk = False
        instance_loader_class = ModelInstanceLoader


class Rollback(Exception):
    pass


def _timed_import(resource_class, text):
    """Import ``text`` and roll everything back, so each candidate starts from the same state."""
    data = CSV().create_dataset(text.encode())
    actor = system_actor()  # imports run from a command act as the system
    start = time.perf_counter()
    try:
        with transaction.atomic():
            result = resource_class(user=actor, batch_name="bench").import_data(
                data, use_transactions=True
            )
            elapsed = time.perf_counter() - start
            problems = describe_errors(result)
            if problems:
                raise RuntimeError(problems[:3])
            history = _history_rows(resource_class)
            raise Rollback(elapsed, history)
    except Rollback as done:
        return done.args


def _history_rows(resource_class):
    model = resource_class._meta.model
    return model.history.filter(history_change_reason__contains="bench").count()


def _timed_copy(statements, rows, columns):
    start = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statements[0])
            with cursor.cursor.copy(f"COPY bench_rows ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            for sql in statements[1:]:
                cursor.execute(sql)
            raise Rollback(time.perf_counter() - start, 0)
    except Rollback as done:
        return done.args


def _stock(count):
    variants = list(
        ProductVariant.objects.order_by("pk").values_list("sku", "stock_available")[:count]
    )
    text = "sku,stock\n" + "".join(f"{sku},{stock + 7}\n" for sku, stock in variants)
    rows = [(sku, stock + 7) for sku, stock in variants]
    copy = _timed_copy(
        [
            "CREATE TEMP TABLE bench_rows (sku varchar(255), stock integer) ON COMMIT DROP",
            "UPDATE catalog_productvariant v SET stock_available = r.stock FROM bench_rows r "
            "WHERE v.sku = r.sku",
        ],
        rows,
        "sku, stock",
    )
    return len(variants), text, copy


def _products(count):
    category = Category.objects.filter(children__isnull=True).order_by("pk").first()
    level = CoverageLevel.objects.order_by("pk").first()
    rows = [
        (f"bench-new-{n}", f"Bench Abaya {n}", category.slug, level.name, "59.90")
        for n in range(count)
    ]
    text = "slug,name,category,coverage_level,base_price\n" + "".join(
        ",".join(row) + "\n" for row in rows
    )
    copy = _timed_copy(
        [
            "CREATE TEMP TABLE bench_rows (slug varchar(50), name varchar(255), category "
            "varchar(50), coverage varchar(255), price numeric(6,2)) ON COMMIT DROP",
            "INSERT INTO catalog_product (slug, name, category_id, product_size_id, base_price, "
            "description, is_featured, date_added) SELECT r.slug, r.name, c.id, l.id, r.price, "
            "'', false, now() FROM bench_rows r JOIN catalog_category c ON c.slug = r.category "
            "LEFT JOIN catalog_coveragelevel l ON l.name = r.coverage",
        ],
        rows,
        "slug, name, category, coverage, price",
    )
    return count, text, copy


def _export_memory(count):
    queryset = ProductVariant.objects.select_related("product", "coverage").order_by("pk")
    pks = list(queryset.values_list("pk", flat=True)[:count])
    queryset = queryset.filter(pk__in=pks) if count < 50_000 else queryset.filter(pk__lte=pks[-1])

    def peak(fn):
        tracemalloc.start()
        fn()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    def streamed():
        sink = io.StringIO()
        for chunk in stream_csv(VariantExportResource().export_rows(queryset)):
            sink.write(chunk)
            sink.seek(0)
            sink.truncate()

    def in_memory():
        VariantExportResource().export(queryset=queryset).export("csv")

    return peak(streamed), peak(in_memory)


def run(rows: int = 10_000, repeat: int = 1) -> list[str]:
    ensure_products(max(rows // 6 + 1, 20))
    lines = []
    for title, build, ours, default in [
        ("Stock update", _stock, StockUpdateResource, RowByRowStock),
        ("Product creation", _products, ProductResource, RowByRowProducts),
    ]:
        count, text, (copy_time, _) = build(rows)
        bulk_time, bulk_history = _timed_import(ours, text)
        slow_time, slow_history = _timed_import(default, text)
        lines.append(f"{title}, {count} rows")
        lines.append(
            f"  row by row (import-export default) {slow_time * 1000:9.0f} ms   1.0x"
            f"   history rows {slow_history}"
        )
        lines.append(
            f"  bulk path (ours)                   {bulk_time * 1000:9.0f} ms "
            f"{slow_time / bulk_time:5.1f}x   history rows {bulk_history} "
            "(target >= 10x)"
        )
        lines.append(
            f"  PostgreSQL COPY (no validation)    {copy_time * 1000:9.0f} ms "
            f"{slow_time / copy_time:5.1f}x   no history"
        )
    streamed, in_memory = _export_memory(rows * 10)
    lines.append(f"Variant export, {rows * 10} rows: peak Python memory")
    lines.append(f"  in memory (import-export export) {in_memory / 1e6:8.1f} MB   1.0x")
    lines.append(
        f"  streamed CSV (ours)              {streamed / 1e6:8.1f} MB "
        f"{in_memory / max(streamed, 1):6.1f}x less"
    )
    return lines
