"""Races on real parallel PostgreSQL connections: one thread, one connection."""

import pytest

from apps.catalog.models import ProductVariant
from apps.orders.models import Order, OrderItem
from apps.orders.services import Line, OrderError, order_cancel, order_change_status, order_place
from tests.actors import system
from tests.factories import OrderFactory, OrderItemFactory, UserFactory, VariantFactory
from tests.race import race as race_calls

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESS = "1 Mill Lane, Oldham OL1 1AA"


def race(*calls):
    return race_calls(*calls, refusals=(OrderError,))


def test_buyers_racing_for_the_last_units_sell_exactly_those_units():
    last = VariantFactory(stock_available=3)
    other = VariantFactory(stock_available=100)
    buyers = UserFactory.create_batch(10)
    # Lines in both orders: a lock order that followed the cart would deadlock here.
    calls = [
        (
            lambda b=buyer, i=i: order_place(
                user=b,
                address=ADDRESS,
                lines=[Line(last.pk, 1), Line(other.pk, 1)][:: 1 if i % 2 else -1],
                actor=system(),
            )
        )
        for i, buyer in enumerate(buyers)
    ]
    outcomes = race(*calls)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok"] * 3 + ["refused"] * 7, outcomes
    assert all("only 0 available" in message for kind, message in outcomes if kind == "refused")
    assert ProductVariant.objects.get(pk=last.pk).stock_available == 0
    assert ProductVariant.objects.get(pk=other.pk).stock_available == 97
    assert OrderItem.objects.filter(variant=last).count() == 3


def test_cancel_and_ship_at_once_exactly_one_wins():
    variant = VariantFactory(stock_available=0)
    order = OrderFactory(status="paid")
    OrderItemFactory(order=order, variant=variant, quantity=2)
    outcomes = race(
        lambda: order_change_status(order_id=order.pk, to="shipped", actor=system()),
        lambda: order_cancel(order_id=order.pk, reason="Customer changed mind", actor=system()),
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    order.refresh_from_db()
    stock = ProductVariant.objects.get(pk=variant.pk).stock_available
    assert (order.status, stock) in {("shipped", 0), ("cancelled", 2)}


def test_a_double_cancel_restocks_once():
    variant = VariantFactory(stock_available=1)
    order = OrderFactory(status="pending")
    OrderItemFactory(order=order, variant=variant, quantity=4)
    outcomes = race(
        *[lambda: order_cancel(order_id=order.pk, reason="double click", actor=system())] * 4
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok"] + ["refused"] * 3, outcomes
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 5
    assert Order.objects.get(pk=order.pk).history.filter(status="cancelled").count() == 1


def test_two_agents_changing_one_address_at_once_one_wins_the_other_is_told():
    from apps.orders.services import order_change_address
    from tests.actors import staff

    order = OrderFactory(status="paid", address="1 Old Road")
    first, second = staff("Support"), staff("Support")
    outcomes = race(
        lambda: order_change_address(
            order_id=order.pk, address="2 New St", seen="1 Old Road", actor=first
        ),
        lambda: order_change_address(
            order_id=order.pk, address="3 Other Way", seen="1 Old Road", actor=second
        ),
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(message for kind, message in outcomes if kind == "refused")
    assert "was changed while you were editing" in refused
    order.refresh_from_db()
    winner = "2 New St" if outcomes[0][0] == "ok" else "3 Other Way"
    assert order.address == winner
    assert f"it is now “{winner}”" in refused
    assert order.history.count() == 2  # placed, then one change: the loser wrote nothing


def test_an_address_change_and_shipping_at_once_never_redirect_a_shipped_parcel():
    from apps.orders.services import order_change_address
    from tests.actors import staff

    order = OrderFactory(status="paid", address="1 Old Road")
    outcomes = race(
        lambda: order_change_address(
            order_id=order.pk, address="2 New St", seen="1 Old Road", actor=staff("Support")
        ),
        lambda: order_change_status(order_id=order.pk, to="shipped", actor=system()),
    )
    order.refresh_from_db()
    address_kind = outcomes[0][0]
    assert outcomes[1][0] == "ok", outcomes  # shipping is always allowed from paid
    if address_kind == "refused":  # shipped first: the address change was too late
        assert "is shipped, so its delivery address can no longer change" in outcomes[0][1]
        assert order.address == "1 Old Road"
    else:  # changed first, then shipped to the new address
        assert address_kind == "ok", outcomes
        assert order.address == "2 New St"
    # Whichever came first, the history shows the address the parcel left with.
    shipped = order.history.filter(status="shipped").order_by("history_id").first()
    assert shipped.address == order.address
