"""The history helpers conflict messages use, and the one django-simple-history detail they
rely on (how it marks an instance rebuilt from a record)."""

from decimal import Decimal

import pytest

from apps.toolkit.history import is_historical, last_change
from tests.actors import staff
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_an_instance_rebuilt_from_a_record_is_historical():
    # The revert page shows ``record.instance``; if an upgrade of django-simple-history
    # stops marking it, a revert page would carry the old value as "seen" and every revert
    # of a price would be refused or lost. This test is the alarm.
    product = ProductFactory()
    assert is_historical(product.history.get().instance)
    assert not is_historical(product)


def test_last_change_names_reason_person_and_time():
    product = ProductFactory(base_price=Decimal("79.00"))
    product.base_price = Decimal("69.00")
    product._history_user = staff("Merchandising", "pricing@test.example")
    product._change_reason = "Winter sale"
    product.save()
    text = last_change(product)
    assert text.startswith(" (Winter sale by pricing@test.example at ")
    assert text.endswith(")") and len(text.split(" at ")[-1]) == len("10:42)")


def test_last_change_without_history_is_empty():
    product = ProductFactory()
    product.history.all().delete()
    assert last_change(product) == ""
