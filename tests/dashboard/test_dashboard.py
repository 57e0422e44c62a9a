from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.catalog.selectors import (
    featured_needing_attention,
    stock_by_coverage,
    variants_at_stock_level,
)
from apps.orders.models import Order
from apps.orders.selectors import (
    daily_orders,
    most_wishlisted,
    order_summary,
    orders_by_status,
    stale_pending_orders,
)
from tests.factories import (
    CoverageLevelFactory,
    OrderFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
    WishlistFactory,
)

pytestmark = pytest.mark.django_db


def placed(days_ago, status="paid", total="100.00", hours=0):
    order = OrderFactory(status=status, total_price=Decimal(total))
    moment = timezone.now() - timedelta(days=days_ago, hours=hours)
    Order.objects.filter(pk=order.pk).update(created_at=moment)
    return order


@pytest.fixture
def orders():
    placed(0, "paid", "100.00")
    placed(0, "pending", "40.00")
    placed(3, "delivered", "60.00")
    placed(3, "cancelled", "999.00")
    placed(20, "shipped", "80.00")
    placed(45, "paid", "500.00")


def test_order_summary(orders):
    summary = order_summary()
    assert (summary["today"], summary["week"], summary["month"]) == (2, 4, 5)
    assert summary["revenue"] == Decimal("240.00")  # paid, shipped, delivered in 30 days
    assert summary["average"] == Decimal("80.00")


def test_orders_by_status_and_per_day(orders):
    assert orders_by_status() == {
        "pending": 1,
        "paid": 2,
        "shipped": 1,
        "delivered": 1,
        "cancelled": 1,
    }
    days = daily_orders()
    assert len(days) == 30 and days[-1]["orders"] == 2 and days[-1]["revenue"] == Decimal("100")
    assert sum(day["orders"] for day in days) == 5


def test_stale_pending_orders():
    old = placed(3, "pending")
    placed(1, "pending")
    placed(5, "paid")
    assert stale_pending_orders() == [old]


def test_catalog_lists(settings):
    settings.LOW_STOCK_THRESHOLD = 5
    full = CoverageLevelFactory(name="Full Coverage")
    no_image = ProductFactory(name="A Featured no image", is_featured=True, coverage_level=full)
    VariantFactory(product=no_image, stock_available=9, coverage=full)
    sold_out = ProductFactory(name="B Featured sold out", is_featured=True)
    ProductImageFactory(product=sold_out, is_feature=True)
    VariantFactory(product=sold_out, stock_available=0, sku="LOW-0")
    fine = ProductFactory(is_featured=True)
    ProductImageFactory(product=fine, is_feature=True)
    VariantFactory(product=fine, stock_available=3, sku="LOW-3")
    VariantFactory(product=fine, stock_available=1, sku="OFF-1", is_active=False)
    assert [p.name for p in featured_needing_attention()] == [no_image.name, sold_out.name]
    # One meaning of "low" everywhere: 1 to the threshold; 0 is "out".
    assert [v.sku for v in variants_at_stock_level("low")] == ["LOW-3"]
    assert [v.sku for v in variants_at_stock_level("out")] == ["LOW-0"]
    assert dict(stock_by_coverage())["Full Coverage"] >= 9
    WishlistFactory.create_batch(2, variant=fine.variants.get(sku="LOW-3"))
    assert [(v.sku, v.wishes) for v in most_wishlisted()] == [("LOW-3", 2)]


def test_customer_emails_the_server_refused_are_listed_with_a_link_to_each(client_as):
    from apps.orders.models import OutboxEmail
    from apps.orders.services import order_change_status
    from tests.actors import system

    orders = [placed(1, "pending") for _ in range(3)]
    for order in orders:
        order_change_status(order_id=order.pk, to="paid", actor=system())
    emails = {e.order_id: e for e in OutboxEmail.objects.all()}
    OutboxEmail.objects.filter(pk=emails[orders[0].pk].pk).update(
        attempts=2, last_error="SMTPDataError: 451 busy"
    )
    OutboxEmail.objects.filter(pk=emails[orders[1].pk].pk).update(
        status="failed", attempts=10, last_error="SMTPRecipientsRefused"
    )
    OutboxEmail.objects.filter(pk=emails[orders[2].pk].pk).update(
        status="sent", sent_at=orders[2].created_at
    )
    html = client_as("support").get(reverse("admin:index")).content.decode()
    assert "Customer e-mails not sent" in html
    for order in orders[:2]:
        url = reverse("admin:orders_order_email", args=[order.pk, emails[order.pk].pk])
        assert url in html
    assert "451 busy" in html and "Gave up after 10 failed attempts" in html
    sent = reverse("admin:orders_order_email", args=[orders[2].pk, emails[orders[2].pk].pk])
    assert sent not in html
    assert (
        "Customer e-mails not sent"
        not in client_as("warehouse").get(reverse("admin:index")).content.decode()
    )


def test_revenue_reads_as_money_in_the_shops_currency(client_as, settings):
    settings.SHOP_CURRENCY = "GBP"
    placed(0, "paid", "66221.68")
    html = client_as("support").get(reverse("admin:index")).content.decode()
    assert 'data-kpi="Revenue, 30 days">£66,221.68<' in html
    assert 'data-kpi="Average order, 30 days">£66,221.68<' in html


def test_the_dashboards_low_stock_is_the_low_stock_lists_and_links_to_it(client_as, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    for sku, stock in [("S-0", 0), ("S-1", 1), ("S-5", 5), ("S-6", 6)]:
        VariantFactory(sku=sku, stock_available=stock)
    client = client_as("warehouse")
    html = client.get(reverse("admin:index")).content.decode()
    low_link = (
        reverse("admin:catalog_productvariant_changelist") + "?stock=low&amp;is_active__exact=1"
    )
    assert "Low stock (1 to 5)" in html and low_link in html
    listed = client.get(low_link.replace("&amp;", "&")).context["cl"].result_list
    assert sorted(v.sku for v in listed) == ["S-1", "S-5"]
    low = html[
        html.index('data-list="Low stock (1 to 5)"') : html.index('data-list="Out of stock"')
    ]
    assert "S-1" in low and "S-5" in low and "S-0" not in low and "S-6" not in low


@pytest.mark.parametrize("rows", [1, 30])
def test_the_dashboard_costs_the_same_queries_however_much_data(client_as, rows):
    client = client_as("superuser")
    for n in range(rows):
        placed(n % 4, "pending", "10.00")
        VariantFactory(stock_available=n % 3)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert len(queries) <= 15


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("support", ["Orders today", "Pending for more than 48 hours"], ["Featured products"]),
        ("warehouse", ["Low stock", "Stock by coverage level"], ["Orders today"]),
        (
            "merchandising",
            ["Featured products needing attention", "Most wishlisted"],
            ["Orders today"],
        ),
        ("no_role", ["has no role yet"], ["Low stock", "Orders today"]),
    ],
)
def test_each_role_sees_its_own_dashboard(client_as, role, shown, hidden):
    html = client_as(role).get(reverse("admin:index")).content.decode()
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


@pytest.mark.parametrize(
    ("query", "days"),
    [
        ("", 30),
        ("?days=7", 7),
        ("?days=90", 90),
        ("?days=abc", 30),
        ("?days=٧", 30),
        ("?days=1000", 30),
    ],
)
def test_the_charts_cover_the_chosen_period_with_values_on_their_axes(client_as, query, days):
    import json

    response = client_as("support").get(reverse("admin:index") + query)
    assert response.status_code == 200
    daily = json.loads(response.context["daily_chart"])
    assert len(daily["labels"]) == days
    assert all(dataset["displayYAxis"] for dataset in daily["datasets"])
    revenue = json.loads(response.context["revenue_chart"])
    assert revenue["datasets"][0]["suffixYAxis"] == "GBP"
    html = response.content.decode()
    assert f"Orders per day, {days} days" in html
    assert f'aria-current="true">{days} days<' in html
