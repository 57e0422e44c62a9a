"""Every audited model writes history, the MPTT category included (registered after its class)."""

import pytest
from simple_history.models import registered_models

from apps.catalog.models import Category
from apps.catalog.services import MovePosition, StockReason, category_move, stock_adjust
from tests.actors import staff as staff_account
from tests.actors import system
from tests.factories import CategoryFactory, OrderFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

AUDITED = {
    "users.user",
    "catalog.category",
    "catalog.coveragelevel",
    "catalog.product",
    "catalog.productvariant",
    "catalog.productimage",
    "orders.order",
    "orders.orderitem",
    "outfits.outfit",
    "outfits.outfititem",
}


def test_the_audited_models_are_registered():
    assert {model._meta.label_lower for model in registered_models.values()} >= AUDITED


def test_moving_a_category_is_recorded_and_keeps_the_tree_valid():
    clothing = CategoryFactory(name="Clothing")
    modest = CategoryFactory(name="Modest")
    dresses = CategoryFactory(name="Dresses", parent=clothing)
    category_move(category=dresses, target=modest, position=MovePosition.LAST_CHILD, actor=system())
    assert [h.history_type for h in dresses.history.order_by("history_id")] == ["+", "~"]
    assert dresses.history.first().parent_id == modest.pk
    before = list(Category.objects.values_list("pk", "tree_id", "lft", "rght").order_by("pk"))
    Category.objects.rebuild()
    after = list(Category.objects.values_list("pk", "tree_id", "lft", "rght").order_by("pk"))
    assert before == after


def test_stock_change_records_who_and_why():
    staff = staff_account("Warehouse")
    variant = VariantFactory(stock_available=4)
    stock_adjust(
        variant=variant,
        quantity=5,
        reason=StockReason.RECEIVED,
        note="Delivery note 118",
        actor=staff,
    )
    latest = variant.history.first()
    assert latest.stock_available == 9
    assert latest.history_change_reason == "Received: Delivery note 118"
    assert latest.history_user == staff


def test_user_history_never_stores_the_password():
    user = UserFactory()
    assert not hasattr(user.history.first(), "password")
    assert OrderFactory(user=user).history.count() == 1
