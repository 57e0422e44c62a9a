"""An import's confirmation against a colleague's change, on real parallel connections.

The confirmation compares each row with what its preview showed while holding the row's lock
until it commits, so a change that commits in between is either seen (and the file refused)
or waits for the import; it is never overwritten.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from apps.catalog.models import ProductVariant
from apps.catalog.resources import StockUpdateResource
from apps.catalog.services import StockReason, stock_adjust
from apps.toolkit.importing import CSV, describe_errors
from tests.actors import staff
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def blocked_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics are cached per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_receipt_committed_during_the_confirmation_is_seen_not_overwritten():
    VariantFactory(sku="RACE-M", stock_available=5)
    clerk, colleague = staff("Warehouse"), staff("Warehouse", "colleague@test.example")
    text = b"sku,stock\nRACE-M,9\n"
    preview = StockUpdateResource(user=clerk, preview_key="race-upload")
    preview.import_data(CSV().create_dataset(text), dry_run=True, user=clerk)

    locked, outcome = threading.Event(), {}

    def receive_ten():
        # The colleague's receipt holds the row's lock while the confirmation starts.
        try:
            with transaction.atomic():
                variant = ProductVariant.objects.select_for_update().get(sku="RACE-M")
                locked.set()
                deadline = time.monotonic() + 10
                while blocked_backends() == 0 and time.monotonic() < deadline:
                    time.sleep(0.02)  # until the confirmation waits for this row
                outcome["confirmation waited"] = blocked_backends() > 0
                stock_adjust(
                    variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=colleague
                )
        finally:
            connection.close()

    def confirm():
        try:
            locked.wait(10)
            resource = StockUpdateResource(user=clerk, preview_key="race-upload")
            result = resource.import_data(CSV().create_dataset(text), dry_run=False, user=clerk)
            outcome["errors"] = describe_errors(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive_ten), threading.Thread(target=confirm)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome["confirmation waited"], "the confirmation read the row without its lock"
    assert any("went from “5” to “15” since the preview" in e for e in outcome["errors"]), outcome
    assert ProductVariant.objects.get(sku="RACE-M").stock_available == 15  # the receipt stands


def every_import_resource():
    from django.contrib import admin

    from apps.toolkit.importing import AuditedImportExportAdmin

    found = set()
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, AuditedImportExportAdmin):
            found |= set(model_admin.get_resource_classes(request=None))
    return sorted(found, key=lambda resource: resource.__name__)


@pytest.mark.parametrize("resource_class", every_import_resource(), ids=lambda r: r.__name__)
def test_every_import_locks_the_rows_it_confirms(resource_class):
    # A resource that builds its own queryset instead of extending super()'s would compare
    # and write unlocked rows: a colleague's save during the confirmation would be lost.
    resource = resource_class(preview_key="any-upload")
    resource._dry_run = False
    assert resource.get_queryset().query.select_for_update
    resource._dry_run = True  # the preview locks nothing: orders must not wait for it
    assert not resource.get_queryset().query.select_for_update
