import threading

import pytest
from django.db import connection

from apps.catalog.models import ProductVariant
from apps.catalog.services import StockError, StockReason, stock_adjust, stock_apply
from tests.actors import staff, system
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("reason", "quantity", "expected"),
    [
        (StockReason.RECEIVED, 5, 8),
        (StockReason.DAMAGED, 2, 1),
        (StockReason.COUNT_CORRECTION, 11, 11),
        (StockReason.COUNT_CORRECTION, 0, 0),
    ],
)
def test_adjustments_change_stock_and_record_who_and_why(reason, quantity, expected):
    clerk = staff("Warehouse")
    variant = VariantFactory(stock_available=3)
    stock_adjust(variant=variant, quantity=quantity, reason=reason, note="note 42", actor=clerk)
    assert variant.stock_available == expected
    latest = variant.history.first()
    assert latest.stock_available == expected
    assert latest.history_change_reason == f"{reason.label}: note 42"
    assert latest.history_user == clerk


def test_stock_never_goes_below_zero_and_nothing_is_saved():
    variant = VariantFactory(sku="ABY-S-BLK", stock_available=2)
    with pytest.raises(StockError, match="ABY-S-BLK: only 2 in stock, cannot remove 3"):
        stock_adjust(variant=variant, quantity=3, reason=StockReason.DAMAGED, actor=system())
    variant.refresh_from_db()
    assert variant.stock_available == 2
    assert variant.history.count() == 1


def test_a_batch_is_all_or_nothing():
    plenty, scarce = VariantFactory(stock_available=10), VariantFactory(stock_available=1)
    with pytest.raises(StockError, match=scarce.sku):
        stock_apply(
            deltas={plenty.pk: -4, scarce.pk: -2}, reason=StockReason.DAMAGED, actor=system()
        )
    assert ProductVariant.objects.get(pk=plenty.pk).stock_available == 10


def test_negative_levels_and_quantities_are_refused():
    variant = VariantFactory(stock_available=4)
    with pytest.raises(StockError, match="cannot be negative"):
        stock_apply(levels={variant.pk: -1}, reason=StockReason.IMPORT, actor=system())
    with pytest.raises(StockError, match="zero or more"):
        stock_adjust(variant=variant, quantity=-5, reason=StockReason.RECEIVED, actor=system())
    variant.refresh_from_db()
    assert variant.stock_available == 4


def test_unknown_variants_are_named():
    with pytest.raises(StockError, match="variant #999999 does not exist"):
        stock_apply(deltas={999999: 1}, reason=StockReason.RECEIVED, actor=system())


def test_an_unchanged_level_writes_no_history():
    variant = VariantFactory(stock_available=4)
    assert (
        stock_apply(levels={variant.pk: 4}, reason=StockReason.COUNT_CORRECTION, actor=system())
        == []
    )
    assert variant.history.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_removals_never_oversell():
    """Eight real connections each remove 1 of 5 in stock: exactly five succeed."""
    variant = VariantFactory(stock_available=5)
    barrier, outcomes = threading.Barrier(8), []

    def remove_one():
        try:
            barrier.wait()
            stock_apply(deltas={variant.pk: -1}, reason=StockReason.DAMAGED, actor=system())
            outcomes.append("ok")
        except StockError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=remove_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 5 + ["refused"] * 3
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 0
