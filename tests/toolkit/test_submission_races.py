"""The same submission twice at the same moment, on real parallel PostgreSQL connections
(one thread, one connection, one client each): one effect, and the other request is answered
with what the first did."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import ProductVariant
from apps.orders.models import Order, OutboxEmail
from apps.toolkit.models import Submission
from apps.toolkit.submissions import read
from tests.factories import OrderFactory, OrderItemFactory, VariantFactory
from tests.pages import form_of
from tests.race import held, race

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(user, url, data, copies=2):
    """``copies`` clients of ``user`` post ``data`` to ``url`` together; their answers, each
    as (status, where it sends, the messages it carries)."""

    def post():
        client = Client()
        client.force_login(user)
        response = client.post(url, data)
        said = [str(m) for m in get_messages(response.wsgi_request)]
        return response.status_code, response.get("Location"), said

    outcomes = race(*[post] * copies, refusals=())
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    return [answer for _, answer in outcomes]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_double_click_on_save_adjustment_books_the_delivery_once(staff_user):
    warehouse = staff_user("warehouse")
    variant = VariantFactory(sku="ABY-M-BLK", stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    page, data = form_of(signed_in(warehouse), url, containing="quantity")
    data.update(reason="received", quantity="10", note="DN-9")

    answers = at_once(warehouse, page, data, copies=3)

    assert [status for status, _, _ in answers] == [302] * 3, answers
    assert len({where for _, where, _ in answers}) == 1  # all sent where the first went
    done = [said for _, _, said in answers if not said[-1].startswith("Already done")]
    repeats = [said for _, _, said in answers if said[-1].startswith("Already done")]
    assert len(done) == 1 and len(repeats) == 2, answers
    assert all("ABY-M-BLK: +10 Received (DN-9), stock 3 → 13." in r[-1] for r in repeats)
    variant.refresh_from_db()
    assert variant.stock_available == 13
    assert variant.history.count() == 2  # created, received once
    assert Submission.objects.count() == 1


def test_two_agents_pressing_mark_paid_twice_each_send_one_email(staff_user):
    support = staff_user("support")
    order = OrderFactory(status="pending")
    OrderItemFactory(order=order)
    url = reverse("admin:orders_order_mark_paid", args=[order.pk])
    page, data = form_of(signed_in(support), url)

    answers = at_once(support, page, data)

    assert sorted(status for status, _, _ in answers) == [302, 302], answers
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert OutboxEmail.objects.filter(order=order).count() == 1  # one "Payment received"
    assert order.history.count() == 2


def test_a_repeat_that_waits_too_long_for_the_first_says_so_and_does_nothing(staff_user, settings):
    """The first submission of a key still running (a long import): the repeat waits
    SUBMISSION_WAIT_MS, then says the first is still being saved, and changes nothing."""
    settings.SUBMISSION_WAIT_MS = 300
    warehouse = staff_user("warehouse")
    variant = VariantFactory(stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    client = signed_in(warehouse)
    page, data = form_of(client, url, containing="quantity")
    data.update(reason="received", quantity="10")
    key, _ = read(data["_submission"], warehouse)

    def first_still_running():  # it fails after all: the key is free again
        Submission.objects.create(key=key, user=warehouse, path=page, created_at=timezone.now())

    with held(first_still_running, roll_back=True):
        busy = client.post(page, data)
        said = [str(m) for m in get_messages(busy.wsgi_request)]
    assert busy.status_code == 302
    assert said[-1].startswith("This was sent twice and the first is still being saved")
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 3
    # The first gave up: its key is free, and the same page applies once.
    assert client.post(page, data).status_code == 302
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 13
