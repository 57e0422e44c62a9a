"""Guarded fields and changed-only saves, on the real models and real connections."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from apps.catalog.models import Category, ProductVariant
from apps.orders.models import Order
from apps.orders.services import ALLOWED_TRANSITIONS, Line, order_place
from apps.toolkit.guarded import GuardedFieldError, guarded_write
from tests.factories import CategoryFactory, OrderFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_stock_cannot_be_saved_outside_the_stock_service():
    variant = VariantFactory(stock_available=4)
    variant.stock_available = 40
    with pytest.raises(GuardedFieldError, match="stock_available changes only through"):
        variant.save()
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 4


def test_an_order_status_cannot_be_saved_outside_the_order_service():
    order = OrderFactory(status="pending")
    order.status = "delivered"
    with pytest.raises(GuardedFieldError, match="status changes only through"):
        order.save()
    assert Order.objects.get(pk=order.pk).status == "pending"


def test_the_tree_cannot_be_changed_by_saving_a_parent():
    clothing, shoes = CategoryFactory(name="Clothing"), CategoryFactory(name="Shoes")
    dresses = CategoryFactory(name="Dresses", parent=clothing)
    dresses = Category.objects.get(pk=dresses.pk)
    dresses.parent = shoes
    with pytest.raises(GuardedFieldError, match="parent"):
        dresses.save()
    assert Category.objects.get(pk=dresses.pk).parent_id == clothing.pk


def test_a_service_may_write_what_it_guards():
    variant = VariantFactory(stock_available=4)
    variant.stock_available = 7
    with guarded_write(ProductVariant, "stock_available"):
        variant.save()
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 7
    variant.stock_available = 8  # the permission ended with the block
    with pytest.raises(GuardedFieldError):
        variant.save()


def test_a_save_writes_only_the_fields_that_changed(django_assert_num_queries):
    variant = ProductVariant.objects.get(pk=VariantFactory(color="Black").pk)
    variant.color = "Charcoal"
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        variant.save()
    update = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
    assert '"color"' in update and "stock_available" not in update and '"sku"' not in update


def test_an_unchanged_save_writes_nothing_and_no_history():
    variant = ProductVariant.objects.get(pk=VariantFactory().pk)
    before = variant.history.count()
    variant.save()
    assert variant.history.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_colour_rename_during_an_order_keeps_the_orders_decrement():
    """A merchandiser's form read the variant (40 in stock); an order for 2 commits on another
    connection; then the rename is saved. The stock stays 38."""
    variant = VariantFactory(stock_available=40, color="Black")
    customer = UserFactory()
    seen = ProductVariant.objects.get(pk=variant.pk)  # the page the merchandiser opened

    def place():
        try:
            order_place(
                user=customer, address="1 Road", lines=[Line(variant.pk, 2)], actor=customer
            )
        finally:
            connections.close_all()

    thread = threading.Thread(target=place)
    thread.start()
    thread.join()
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 38
    seen.color = "Charcoal"
    seen.save()
    fresh = ProductVariant.objects.get(pk=variant.pk)
    assert (fresh.color, fresh.stock_available) == ("Charcoal", 38)
    # And the rename wrote no stock into the history either.
    assert fresh.history.first().stock_available == 38


STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"]


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_postgresql_refuses_a_raw_update_outside_the_transition_table(source, target):
    if source == target:
        return
    order = OrderFactory(status=source)
    allowed = target in ALLOWED_TRANSITIONS[source]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE orders_order SET status = %s WHERE id = %s", [target, order.pk])
    except IntegrityError as error:
        assert not allowed, f"{source} -> {target} is allowed but the database refused it"
        assert f"cannot go from {source} to {target}" in str(error)
    else:
        assert allowed, f"{source} -> {target} is not allowed but the database accepted it"
    expected = target if allowed else source
    assert Order.objects.get(pk=order.pk).status == expected


def test_the_transition_table_is_the_services_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT from_status, to_status FROM orders_status_transition")
        in_database = set(cursor.fetchall())
    in_code = {(str(a), str(b)) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert in_database == in_code


def test_no_session_setting_opens_the_status_trigger():
    order = OrderFactory(status="cancelled")
    with pytest.raises(IntegrityError, match="cannot go from cancelled to pending"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL modestwear.demo_reset = 'on'")
            cursor.execute("UPDATE orders_order SET status = 'pending' WHERE id = %s", [order.pk])
    assert Order.objects.get(pk=order.pk).status == "cancelled"
