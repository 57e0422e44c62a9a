import itertools
import re
from decimal import Decimal

import pytest

from apps.access.policy import ActorNotAllowed
from apps.catalog.models import ProductVariant
from apps.orders.models import CartItem, Order, OrderStatus
from apps.orders.services import (
    ALLOWED_TRANSITIONS,
    Line,
    OrderError,
    order_cancel,
    order_change_status,
    order_place,
)
from tests.actors import staff, system
from tests.factories import (
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
ADDRESS = "4 Park Row, Bradford BD1 2AA"


def stock(variant):
    return ProductVariant.objects.get(pk=variant.pk).stock_available


def test_placing_from_a_cart_snapshots_prices_decrements_stock_and_empties_the_cart():
    customer, agent = UserFactory(), staff("Support")
    abaya = VariantFactory(stock_available=5, product=ProductFactory(base_price=Decimal("80.00")))
    hijab = VariantFactory(stock_available=2, product=ProductFactory(base_price=Decimal("12.50")))
    CartItemFactory(user=customer, variant=abaya, quantity=2)
    CartItemFactory(user=customer, variant=hijab, quantity=2)
    CartItemFactory(variant=abaya)  # someone else's cart stays

    order = order_place(user=customer, address=ADDRESS, actor=agent)

    assert order.status == OrderStatus.PENDING
    assert order.total_price == Decimal("185.00")
    lines = sorted(order.items.values_list("variant_id", "quantity", "price_at_purchase"))
    assert lines == [(abaya.pk, 2, Decimal("80.00")), (hijab.pk, 2, Decimal("12.50"))]
    assert (stock(abaya), stock(hijab)) == (3, 0)
    assert not CartItem.objects.filter(user=customer).exists()
    assert CartItem.objects.count() == 1
    assert order.history.get().history_user == agent
    assert ProductVariant.objects.get(pk=abaya.pk).history.first().history_change_reason == (
        f"Order placed: order #{order.pk}"
    )


def test_a_later_price_change_does_not_touch_the_order():
    variant = VariantFactory(product=ProductFactory(base_price=Decimal("50.00")))
    order = order_place(
        user=UserFactory(), address=ADDRESS, lines=[Line(variant.pk, 1)], actor=system()
    )
    variant.product.base_price = Decimal("65.00")
    variant.product.save()
    assert order.items.get().price_at_purchase == Decimal("50.00")


def test_a_guest_cart_is_ordered_by_its_session():
    customer, variant = UserFactory(), VariantFactory(stock_available=3)
    CartItem.objects.create(session_key="guest-abc", variant=variant, quantity=2)
    order = order_place(user=customer, address=ADDRESS, session_key="guest-abc", actor=system())
    assert order.user == customer and order.items.get().quantity == 2
    assert not CartItem.objects.exists()


def test_duplicate_lines_are_merged():
    variant = VariantFactory(stock_available=5)
    order = order_place(
        user=UserFactory(),
        address=ADDRESS,
        lines=[Line(variant.pk, 1), Line(variant.pk, 2)],
        actor=system(),
    )
    assert list(order.items.values_list("quantity", flat=True)) == [3]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"stock_available": 1}, "ABY-9: 2 requested, only 1 available"),
        ({"is_active": False}, "ABY-9 is no longer sold"),
    ],
)
def test_refusals_name_the_sku_and_change_nothing(setup, message):
    customer = UserFactory()
    variant = VariantFactory(sku="ABY-9", **{"stock_available": 10, **setup})
    CartItemFactory(user=customer, variant=variant, quantity=2)
    with pytest.raises(OrderError, match=message):
        order_place(user=customer, address=ADDRESS, actor=system())
    assert not Order.objects.exists()
    assert stock(variant) == setup.get("stock_available", 10)
    assert CartItem.objects.filter(user=customer).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lines": []}, "the cart is empty"),
        ({"lines": [Line(1, 0)]}, "at least 1"),
        ({"lines": [Line(987654, 1)]}, "variant #987654 does not exist"),
        ({"address": "  "}, "delivery address is required"),
    ],
)
def test_bad_placements_are_refused(kwargs, message):
    with pytest.raises(OrderError, match=message):
        order_place(user=UserFactory(), **{"address": ADDRESS, **kwargs}, actor=system())
    assert not Order.objects.exists()


def test_an_empty_cart_is_refused():
    with pytest.raises(OrderError, match="cart is empty"):
        order_place(user=UserFactory(), address=ADDRESS, actor=system())


@pytest.mark.parametrize(
    ("current", "target"), list(itertools.product(OrderStatus.values, OrderStatus.values))
)
def test_every_status_pair_follows_the_transition_table(current, target):
    order = OrderFactory(status=current)
    OrderItemFactory(order=order, quantity=1)
    allowed = OrderStatus(target) in ALLOWED_TRANSITIONS[OrderStatus(current)]
    if allowed:
        order_change_status(order_id=order.pk, to=target, reason="test", actor=system())
        order.refresh_from_db()
        assert order.status == target
        assert order.history.first().history_change_reason == "test"
    else:
        with pytest.raises(OrderError, match=f"is {current}, so it cannot be marked {target}"):
            order_change_status(order_id=order.pk, to=target, reason="test", actor=system())
        order.refresh_from_db()
        assert order.status == current
        assert order.history.count() == 1


def test_the_transition_table_is_the_shops():
    assert {k.value: sorted(v) for k, v in ALLOWED_TRANSITIONS.items()} == {
        "pending": ["cancelled", "paid"],
        "paid": ["cancelled", "shipped"],
        "shipped": ["delivered"],
        "delivered": [],
        "cancelled": [],
    }


def test_a_refusal_says_what_is_possible():
    order = OrderFactory(status="pending")
    with pytest.raises(OrderError) as refused:
        order_change_status(order_id=order.pk, to="delivered", actor=system())
    assert str(refused.value).startswith(
        f"Order #{order.pk} is pending, so it cannot be marked delivered: "
        "it can be marked paid or cancelled. It was marked pending by the shop at "
    )


def test_a_stale_click_is_told_what_happened_meanwhile_by_whom_and_when():
    agent = staff("Support", email="amina@modestwear.example")
    order = OrderFactory(status="pending")
    order_cancel(order_id=order.pk, reason="Customer called", actor=agent)
    with pytest.raises(OrderError) as refused:
        order_change_status(order_id=order.pk, to="paid", actor=staff("Support"))
    assert re.fullmatch(
        rf"Order #{order.pk} is cancelled, so it cannot be marked paid: a cancelled order is "
        r"final\. It was marked cancelled by amina@modestwear\.example \(Support\) at "
        r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d \(Customer called\)\.",
        str(refused.value),
    ), str(refused.value)


@pytest.mark.parametrize("role", ["Merchandising", "Warehouse"])
def test_status_changes_refuse_an_actor_without_the_permission(role):
    order = OrderFactory(status="pending")
    with pytest.raises(ActorNotAllowed, match=rf"\({role}\) may not change an order's status"):
        order_change_status(order_id=order.pk, to="paid", actor=staff(role))
    order.refresh_from_db()
    assert order.status == "pending" and order.history.count() == 1


def test_phone_orders_need_the_permission_and_a_customer_orders_for_themself():
    variant = VariantFactory(stock_available=5)
    customer = UserFactory()
    with pytest.raises(ActorNotAllowed, match="may not place orders for customers"):
        order_place(
            user=customer, address=ADDRESS, lines=[Line(variant.pk, 1)], actor=staff("Warehouse")
        )
    with pytest.raises(ActorNotAllowed):
        order_place(
            user=customer, address=ADDRESS, lines=[Line(variant.pk, 1)], actor=UserFactory()
        )  # another customer
    assert stock(variant) == 5
    order_place(user=customer, address=ADDRESS, lines=[Line(variant.pk, 1)], actor=customer)
    order_place(user=customer, address=ADDRESS, lines=[Line(variant.pk, 1)], actor=staff("Support"))
    assert stock(variant) == 3


def test_cancel_returns_stock_once_and_records_the_reason():
    agent = staff("Support")
    variant = VariantFactory(stock_available=4)
    order = order_place(
        user=UserFactory(), address=ADDRESS, lines=[Line(variant.pk, 3)], actor=system()
    )
    assert stock(variant) == 1
    order_cancel(order_id=order.pk, reason="Customer called", actor=agent)
    assert stock(variant) == 4
    latest = Order.objects.get(pk=order.pk).history.first()
    assert (latest.status, latest.history_change_reason, latest.history_user) == (
        "cancelled",
        "Customer called",
        agent,
    )
    with pytest.raises(OrderError, match="cancelled order is final"):
        order_cancel(order_id=order.pk, reason="again", actor=system())
    assert stock(variant) == 4


def test_cancel_needs_a_reason():
    order = OrderFactory()
    with pytest.raises(OrderError, match="say why"):
        order_cancel(order_id=order.pk, reason=" ", actor=system())
    assert Order.objects.get(pk=order.pk).status == "pending"


@pytest.mark.parametrize("lines", [1, 25])
def test_placement_costs_the_same_statements_whatever_its_lines(lines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = UserFactory()
    for variant in VariantFactory.create_batch(lines, stock_available=5):
        CartItemFactory(user=customer, variant=variant, quantity=2)
    with CaptureQueriesContext(connection) as queries:
        order_place(user=customer, address=ADDRESS, actor=customer)
    # Nine statements: cart read, variant lock, order + history, lines + history, stock +
    # history, cart delete; and four SAVEPOINT/RELEASE around the two atomic blocks.
    assert len(queries) == 13, "\n".join(q["sql"][:100] for q in queries)


# The delivery address: before shipping, through the service, against what the page showed ---


def test_an_address_changes_before_shipping_and_the_old_one_stays_in_history():
    from apps.orders.services import order_change_address

    agent = staff("Support", "agent@test.example")
    order = OrderFactory(status="paid", address="1 Old Road\nLeeds")
    order_change_address(
        order_id=order.pk,
        address="2 New Street\r\nYork YO1 7HH\r\n",
        seen="1 Old Road\r\nLeeds",  # a browser posts line breaks as CRLF
        actor=agent,
        reason="customer phoned",
    )
    order.refresh_from_db()
    assert order.address == "2 New Street\nYork YO1 7HH"
    latest, before = order.history.all()[:2]
    assert (latest.address, latest.history_user, latest.history_change_reason) == (
        "2 New Street\nYork YO1 7HH",
        agent,
        "customer phoned",
    )
    assert before.address == "1 Old Road\nLeeds"


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled"])
def test_an_address_cannot_change_once_the_order_has_left(status):
    from apps.orders.services import order_change_address

    order = OrderFactory(status=status, address="1 Old Road")
    with pytest.raises(OrderError, match=f"is {status}, so its delivery address can no longer"):
        order_change_address(
            order_id=order.pk, address="2 New St", seen="1 Old Road", actor=staff("Support")
        )
    assert Order.objects.get(pk=order.pk).address == "1 Old Road"


def test_an_address_changed_meanwhile_is_not_overwritten():
    from apps.orders.services import AddressConflict, order_change_address

    order = OrderFactory(status="pending", address="1 Old Road")
    first, second = staff("Support", "first@test.example"), staff("Support")
    order_change_address(order_id=order.pk, address="2 New St", seen="1 Old Road", actor=first)
    with pytest.raises(AddressConflict) as refused:
        order_change_address(
            order_id=order.pk, address="3 Other Way", seen="1 Old Road", actor=second
        )
    assert "changed while you were editing (Delivery address changed by first@test.example" in (
        str(refused.value)
    )
    assert "it is now “2 New St”" in str(refused.value)
    assert Order.objects.get(pk=order.pk).address == "2 New St"


@pytest.mark.parametrize(
    ("address", "message"),
    [("  \r\n ", "Enter the new delivery address"), ("x" * 1001, "at most 1000 characters")],
)
def test_an_empty_or_huge_address_is_refused(address, message):
    from apps.orders.services import order_change_address

    order = OrderFactory(status="pending", address="1 Old Road")
    with pytest.raises(OrderError, match=message):
        order_change_address(
            order_id=order.pk, address=address, seen="1 Old Road", actor=staff("Support")
        )


@pytest.mark.parametrize("role", ["Warehouse", "Merchandising"])
def test_only_roles_that_change_orders_change_addresses(role):
    from apps.orders.services import order_change_address

    order = OrderFactory(status="pending", address="1 Old Road")
    with pytest.raises(ActorNotAllowed):
        order_change_address(order_id=order.pk, address="2", seen="1 Old Road", actor=staff(role))


def test_the_model_refuses_an_address_saved_outside_the_service():
    from apps.toolkit.guarded import GuardedFieldError

    order = OrderFactory(status="pending", address="1 Old Road")
    order.address = "Somewhere else"
    with pytest.raises(GuardedFieldError):
        order.save()
    assert Order.objects.get(pk=order.pk).address == "1 Old Road"


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200b\n\u00a0",
        "\ufeff  ",
        "\u3164",
        "\uffa0",
        "\u115f\u1160",
        "\u3164 \u3164\r\n\u3164",
    ],
)
def test_an_address_of_invisible_characters_is_refused(invisible):
    from apps.orders.services import order_change_address

    order = OrderFactory(status="pending", address="1 Old Road")
    with pytest.raises(OrderError, match="Enter the new delivery address"):
        order_change_address(
            order_id=order.pk, address=invisible, seen="1 Old Road", actor=staff("Support")
        )
