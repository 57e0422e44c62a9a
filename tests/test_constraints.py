"""The database itself refuses bad data, whatever code path writes it — and nothing else changes."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from apps.catalog.models import ProductImage, ProductVariant
from apps.orders.models import CartItem, Order, OrderItem
from tests.factories import (
    CartItemFactory,
    CategoryFactory,
    OrderFactory,
    OrderItemFactory,
    OutfitItemFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
    VariantFactory,
    WishlistFactory,
)

pytestmark = pytest.mark.django_db


def rejected(write, *, raises=IntegrityError):
    """Run ``write`` in a savepoint and check the database refused it."""
    with pytest.raises(raises), transaction.atomic():
        write()


def raw_delete(model, pk):
    """A DELETE that bypasses the ORM, checked by the database's foreign keys at once."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [pk])


def test_stock_cannot_go_below_zero():
    variant = VariantFactory(stock_available=3)
    rejected(lambda: ProductVariant.objects.filter(pk=variant.pk).update(stock_available=-1))
    variant.refresh_from_db()
    assert variant.stock_available == 3


@pytest.mark.parametrize("size", [-1, 6])
def test_size_must_be_xs_to_xxl(size):
    variant = VariantFactory(size=2)
    rejected(lambda: ProductVariant.objects.filter(pk=variant.pk).update(size=size))
    variant.refresh_from_db()
    assert variant.size == 2


def test_product_price_cannot_be_negative():
    product = ProductFactory(base_price=Decimal("10.00"))
    rejected(lambda: ProductFactory(base_price=Decimal("-0.01")))
    assert type(product).objects.count() == 1


def test_order_status_must_be_one_of_five():
    order = OrderFactory()
    rejected(lambda: Order.objects.filter(pk=order.pk).update(status="lost"))
    order.refresh_from_db()
    assert order.status == "pending"


def test_order_total_cannot_be_negative():
    rejected(lambda: OrderFactory(total_price=Decimal("-1")))
    assert Order.objects.count() == 0


@pytest.mark.parametrize("quantity", [0, -2])
def test_order_item_quantity_must_be_positive(quantity):
    item = OrderItemFactory(quantity=1)
    rejected(lambda: OrderItem.objects.filter(pk=item.pk).update(quantity=quantity))
    item.refresh_from_db()
    assert item.quantity == 1


def test_order_item_price_cannot_be_negative():
    item = OrderItemFactory()
    rejected(lambda: OrderItem.objects.filter(pk=item.pk).update(price_at_purchase=-5))
    item.refresh_from_db()
    assert item.price_at_purchase == Decimal("79.00")


@pytest.mark.parametrize("quantity", [0, -1])
def test_cart_quantity_must_be_positive(quantity):
    rejected(lambda: CartItemFactory(quantity=quantity))
    assert CartItem.objects.count() == 0


@pytest.mark.parametrize("session_key", [None, ""])
def test_cart_item_needs_a_customer_or_a_session(session_key):
    variant = VariantFactory()
    rejected(lambda: CartItem.objects.create(variant=variant, user=None, session_key=session_key))
    CartItem.objects.create(variant=variant, session_key="guest-session-1")
    assert CartItem.objects.count() == 1


def test_at_most_one_feature_image_per_product():
    first = ProductImageFactory(is_feature=True)
    rejected(lambda: ProductImageFactory(product=first.product, is_feature=True))
    ProductImageFactory(product=first.product, is_feature=False)
    ProductImageFactory(is_feature=True)  # another product may have its own
    assert ProductImage.objects.filter(product=first.product, is_feature=True).count() == 1


def test_unique_sku():
    VariantFactory(sku="ABY-001")
    rejected(lambda: VariantFactory(sku="ABY-001"))
    assert ProductVariant.objects.filter(sku="ABY-001").count() == 1


def test_unique_product_slug():
    ProductFactory(slug="linen-abaya")
    rejected(lambda: ProductFactory(slug="linen-abaya"))


def test_unique_email():
    UserFactory(email="amina@example.com")
    rejected(lambda: UserFactory(email="amina@example.com"))


def test_a_variant_is_wishlisted_once_per_customer():
    wish = WishlistFactory()
    rejected(lambda: WishlistFactory(user=wish.user, variant=wish.variant))


def test_a_product_appears_once_per_outfit():
    item = OutfitItemFactory()
    rejected(lambda: OutfitItemFactory(outfit=item.outfit, product=item.product))


def test_a_sold_variant_cannot_be_deleted():
    item = OrderItemFactory()
    rejected(item.variant.delete, raises=ProtectedError)
    rejected(lambda: raw_delete(ProductVariant, item.variant_id))
    assert OrderItem.objects.filter(pk=item.pk).exists()


def test_a_customer_with_orders_cannot_be_deleted():
    order = OrderFactory()
    rejected(order.user.delete, raises=ProtectedError)
    rejected(lambda: raw_delete(type(order.user), order.user_id))
    assert Order.objects.filter(pk=order.pk).exists()


def test_a_category_with_products_or_children_cannot_be_deleted():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    ProductFactory(category=child)
    rejected(child.delete, raises=ProtectedError)
    rejected(parent.delete, raises=ProtectedError)
    assert type(parent).objects.count() == 2
