"""The order lifecycle under load.

- Placement throughput: 8 parallel clients (threads, one connection each) placing orders on a
  small hot set of variants, against 1 client doing the same, in the same run.
- SQL statements per placement as the number of lines grows (must stay flat: the lines are
  written in bulk).
- The admin's bulk status action on N orders, against the same number of single status
  changes through the service.
"""

import threading
import time
from decimal import Decimal

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Category, CoverageLevel, Product, ProductVariant
from apps.orders.models import Order, OrderStatus
from apps.orders.services import Line, order_change_status, order_place
from apps.toolkit import submissions
from apps.users.models import User

HOT_VARIANTS = 5


def _hot_set(prefix: str) -> list[int]:
    category, _ = Category.objects.get_or_create(slug="bench-hot", defaults={"name": "Bench"})
    level, _ = CoverageLevel.objects.get_or_create(name="Full Coverage")
    product, _ = Product.objects.get_or_create(
        slug=f"bench-{prefix}",
        defaults={
            "name": "Bench abaya",
            "category": category,
            "coverage_level": level,
            "base_price": Decimal("50.00"),
        },
    )
    ids = []
    for n in range(HOT_VARIANTS):
        variant, _ = ProductVariant.objects.update_or_create(
            sku=f"BENCH-{prefix}-{n}",
            defaults={
                "product": product,
                "size": n % 6,
                "color": "Black",
                "stock_available": 10_000_000,
            },
        )
        ids.append(variant.pk)
    return ids


def _customer(email: str) -> User:
    return User.objects.filter(email=email).first() or User.objects.create_user(email)


def _throughput(clients: int, orders_each: int, variant_ids: list[int]) -> float:
    """Orders per second with ``clients`` threads placing ``orders_each`` orders each."""
    barrier = threading.Barrier(clients + 1)
    errors = []

    def client(index):
        try:
            user = _customer(f"bench-buyer-{index}@example.com")
            barrier.wait()
            for n in range(orders_each):
                first = (index + n) % len(variant_ids)
                lines = [Line(variant_ids[first], 1), Line(variant_ids[first - 1], 2)]
                order_place(user=user, address="Bench Street 1", lines=lines, actor=user)
        except Exception as error:  # noqa: BLE001 - reported below, never swallowed
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"placement failed under load: {errors[:3]}")
    return clients * orders_each / elapsed


def _statements(lines: int, variant_ids: list[int]) -> int:
    user = _customer("bench-lines@example.com")
    extra = list(
        ProductVariant.objects.filter(is_active=True, stock_available__gte=1)
        .exclude(pk__in=variant_ids)
        .values_list("pk", flat=True)[: max(lines - len(variant_ids), 0)]
    )
    chosen = (variant_ids + extra)[:lines]
    with CaptureQueriesContext(connection) as queries:
        order_place(
            user=user, address="Bench Street 1", lines=[Line(pk, 1) for pk in chosen], actor=user
        )
    return len(queries), len(chosen)


def _bulk_vs_single(count: int, variant_ids: list[int]) -> tuple[float, float]:
    # A fresh customer per run: "select all" over a search selects exactly these orders.
    user = _customer(f"bench-bulk-{time.time_ns()}@example.com")
    ids = [
        order_place(
            user=user, address="Bench Street 1", lines=[Line(variant_ids[0], 1)], actor=user
        ).pk
        for _ in range(count * 2)
    ]
    bulk_ids, single_ids = ids[:count], ids[count:]
    Order.objects.filter(pk__in=single_ids).update(user=_customer("bench-single@example.com"))
    agent = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-agent@modestwear.example", "bench-password-1"
    )
    client = Client()
    client.force_login(agent)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        start = time.perf_counter()
        response = client.post(
            f"/admin/orders/order/?q={user.email}",
            {
                "action": "bulk_mark_paid",
                "select_across": "1",
                "index": "0",
                "_selected_action": bulk_ids[:1],
                # The one-time key the list page draws its form with.
                submissions.FIELD: submissions.issue(agent),
            },
        )
        bulk = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    start = time.perf_counter()
    for order_id in single_ids:
        order_change_status(order_id=order_id, to=OrderStatus.PAID, actor=agent)
    single = time.perf_counter() - start
    assert Order.objects.filter(pk__in=ids, status="paid").count() == len(ids)
    return bulk, single


def run(orders: int = 400, repeat: int = 1) -> list[str]:
    variant_ids = _hot_set("hot")
    per_client = max(orders // 8, 2)
    one = _throughput(1, per_client, variant_ids)
    eight = _throughput(8, per_client, variant_ids)
    lines = [
        f"Order placement on {HOT_VARIANTS} hot variants",
        f"  1 client   {one:8.1f} orders/s   1.0x",
        f"  8 clients  {eight:8.1f} orders/s   {eight / one:.2f}x of 1 client "
        "(row locks on the hot variants serialise the stock updates; 2 cores)",
    ]
    base, _ = _statements(1, variant_ids)
    lines.append("SQL statements per placement")
    for count in (1, 5, 20, 50):
        statements, placed = _statements(count, variant_ids)
        lines.append(
            f"  {placed:3d} lines  {statements:3d} statements   {statements / base:.2f}x of 1 line"
        )
    bulk_count = max(orders // 4, 10) if orders < 400 else 1000
    bulk, single = _bulk_vs_single(bulk_count, variant_ids)
    lines.append(f"Bulk 'mark paid' admin action on {bulk_count} orders")
    lines.append(
        f"  bulk action {bulk * 1000:8.1f} ms ({bulk / bulk_count * 1000:.2f} ms/order); "
        f"{bulk_count} single service calls {single * 1000:8.1f} ms; bulk/single "
        f"{bulk / single:.2f}x"
    )
    return lines
