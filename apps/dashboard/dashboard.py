"""The admin's home page: what each role should do next (unfold's DASHBOARD_CALLBACK).

Every figure comes from a selector with a fixed number of queries; the catalog-wide stock
aggregate is cached for a minute, because it reads every variant.
"""

import json

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from apps.catalog.selectors import (
    featured_needing_attention,
    stock_by_coverage,
    variants_at_stock_level,
)
from apps.feed.visibility import product_problems
from apps.orders.models import OrderStatus
from apps.orders.selectors import (
    daily_orders,
    email_outcome,
    emails_not_sent,
    most_wishlisted,
    order_summary,
    orders_by_status,
    stale_pending_orders,
)
from apps.toolkit.money import money

STOCK_CACHE_SECONDS = 60


def cached_stock_by_coverage():
    return cache.get_or_set("dashboard:stock-by-coverage", stock_by_coverage, STOCK_CACHE_SECONDS)


# The periods the orders charts can cover, in days; the first is the default.
CHART_PERIODS = (30, 7, 90)


def chart_period(request) -> int:
    """The charts' period from ``?days=``; anything else than an offered period: the default."""
    value = request.GET.get("days", "")
    return int(value) if value in {str(days) for days in CHART_PERIODS} else CHART_PERIODS[0]


def _chart(labels, *datasets, unit: str = "") -> str:
    # unfold's charts show the value axis only when a dataset asks (displayYAxis), with
    # suffixYAxis after each value; maxTicksXLimit keeps 90 daily labels readable.
    return json.dumps(
        {
            "labels": labels,
            "datasets": [
                {
                    "label": label,
                    "data": data,
                    "displayYAxis": True,
                    "maxTicksXLimit": 12,
                    **({"suffixYAxis": unit} if unit else {}),
                }
                for label, data in datasets
            ],
        },
        default=str,
    )


def _orders(context, request):
    summary = order_summary()
    by_status = orders_by_status()
    period = chart_period(request)
    days = daily_orders(period)
    change = "admin:orders_order_change"
    context.update(
        kpis=[
            ("Orders today", summary["today"]),
            ("Orders, 7 days", summary["week"]),
            ("Orders, 30 days", summary["month"]),
            ("Revenue, 30 days", money(summary["revenue"])),
            ("Average order, 30 days", money(summary["average"])),
        ],
        waiting=[
            (
                OrderStatus(status).label,
                count,
                reverse("admin:orders_order_changelist") + f"?status__exact={status}",
            )
            for status, count in by_status.items()
            if status in (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED)
        ],
        daily_chart=_chart(
            [day["day"].strftime("%d %b") for day in days],
            ("Orders", [day["orders"] for day in days]),
        ),
        revenue_chart=_chart(
            [day["day"].strftime("%d %b") for day in days],
            ("Revenue", [float(day["revenue"]) for day in days]),
            unit=settings.SHOP_CURRENCY,
        ),
        chart_period=period,
        chart_periods=[
            (days_, f"{days_} days", f"?days={days_}") for days_ in sorted(CHART_PERIODS)
        ],
        status_chart=_chart(
            [OrderStatus(s).label for s in by_status],
            ("Orders", list(by_status.values())),
        ),
    )
    context["lists"].append(
        _list(
            "Pending for more than 48 hours",
            ["Order", "Customer", "Placed"],
            [
                (
                    [f"#{o.pk}", o.user.email, o.created_at.strftime("%d %b %H:%M")],
                    reverse(change, args=[o.pk]),
                )
                for o in stale_pending_orders()
            ],
            "No pending order has waited that long.",
        )
    )


def _emails(context):
    context["lists"].append(
        _list(
            "Customer e-mails not sent",
            ["Order", "E-mail", "What became of it"],
            [
                (
                    [f"#{e.order_id}", e.get_kind_display(), email_outcome(e)],
                    reverse("admin:orders_order_email", args=[e.order_id, e.pk]),
                )
                for e in emails_not_sent()
            ],
            "Every customer e-mail went out.",
        )
    )


def _catalog(context, request):
    stock = cached_stock_by_coverage()
    context["stock_chart"] = _chart(
        [name for name, _ in stock], ("Units in stock", [units for _, units in stock])
    )
    variant_url = "admin:catalog_productvariant_change"
    stock_list = reverse("admin:catalog_productvariant_changelist")
    threshold = settings.LOW_STOCK_THRESHOLD
    for level, title, empty in [
        ("low", f"Low stock (1 to {threshold})", "No active variant is low."),
        ("out", "Out of stock", "Every active variant is in stock."),
    ]:
        context["lists"].append(
            _list(
                title,
                ["SKU", "Product", "Stock"],
                [
                    ([v.sku, v.product.name, v.stock_available], reverse(variant_url, args=[v.pk]))
                    for v in variants_at_stock_level(level)
                ],
                empty,
                # The same list the sidebar opens: one definition of "low" (stock_level).
                more=(f"{stock_list}?stock={level}&is_active__exact=1", "See the whole list"),
            )
        )
    if request.user.has_perm("catalog.change_product"):
        context["lists"].append(
            _list(
                "Featured products needing attention",
                ["Product", "Problem"],
                [
                    (
                        [
                            p.name,
                            "; ".join(part for parts in product_problems(p) for part in parts),
                        ],
                        reverse("admin:catalog_product_change", args=[p.pk]),
                    )
                    for p in featured_needing_attention()
                ],
                "The storefront shows every featured product, in stock and with a picture.",
            )
        )
    if request.user.has_perm("orders.view_mostwishlisted"):
        context["lists"].append(
            _list(
                "Most wishlisted",
                ["SKU", "Product", "Wishes", "Stock"],
                [
                    (
                        [v.sku, v.product.name, v.wishes, v.stock_available],
                        reverse(variant_url, args=[v.pk]),
                    )
                    for v in most_wishlisted()
                ],
                "Nothing is wishlisted yet.",
            )
        )


def _list(title, headers, rows, empty, more=None) -> dict:
    return {"title": title, "headers": headers, "rows": rows, "empty": empty, "more": more}


def dashboard_callback(request, context):
    user = request.user
    context["lists"] = []
    if user.has_perm("orders.view_order"):
        _orders(context, request)
    if user.has_perm("orders.view_outboxemail"):
        _emails(context)
    if user.has_perm("catalog.view_productvariant"):
        _catalog(context, request)
    return context
