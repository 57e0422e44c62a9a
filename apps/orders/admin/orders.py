from datetime import timedelta
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportMixin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.models import ProductVariant
from apps.orders.admin.desk import OrderDeskMixin
from apps.orders.admin.forms import (
    CARRIERS,
    AddressForm,
    BulkShipForm,
    CancelForm,
    PhoneOrderForm,
    ShipForm,
    StatusNoteForm,
)
from apps.orders.models import Order, OrderItem, OrderStatus
from apps.orders.outbox import sending_together
from apps.orders.resources import OrderLineExportResource
from apps.orders.selectors import customers_matching
from apps.orders.services import (
    ADDRESS_CHANGEABLE,
    OrderError,
    address_refusal,
    allowed_targets,
    normalise_lines,
    order_change_address,
    order_change_status,
    order_place,
    orders_change_status,
    orders_state,
    status_refusal,
)
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import (
    EstimatedCountPaginator,
    badge,
    multiline,
    render_action_form,
)
from apps.toolkit.confirmations import Seen, StateChanged, shown_again
from apps.toolkit.forms import seen_value
from apps.toolkit.importing import FORMATS, ExportSaysWhatMixin
from apps.toolkit.money import money
from apps.toolkit.numbers import parse_id
from apps.toolkit.search import search_text
from apps.users.models import User

STATUS_COLOURS = {
    "pending": "warning",
    "paid": "info",
    "shipped": "primary",
    "delivered": "success",
    "cancelled": "danger",
}
REFUSALS_SHOWN = 15


class RecentFilter(admin.SimpleListFilter):
    """Date navigation by index range scans: fast however many orders there are."""

    title = "date placed"
    parameter_name = "placed"
    DAYS = {"today": 0, "7d": 7, "30d": 30}

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("7d", "Last 7 days"), ("30d", "Last 30 days")]

    def queryset(self, request, queryset):
        if self.value() not in self.DAYS:
            return queryset
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return queryset.filter(created_at__gte=start - timedelta(days=self.DAYS[self.value()]))


class OrderItemInline(TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    fields = [
        "sku",
        "product",
        "size",
        "colour",
        "quantity",
        "price_paid",
        "total",
        "current_price",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @display(description="SKU")
    def sku(self, item):
        return item.variant.sku

    @display(description="Product")
    def product(self, item):
        return item.variant.product.name

    @display(description="Size")
    def size(self, item):
        return item.variant.get_size_display()

    @display(description="Colour")
    def colour(self, item):
        return item.variant.color

    @display(description="Price paid")
    def price_paid(self, item):
        return money(item.price_at_purchase)

    @display(description="Line total")
    def total(self, item):
        return money(item.line_total)

    @display(description="Price today")
    def current_price(self, item):
        price = item.variant.product.base_price
        if price == item.price_at_purchase:
            return "same"
        direction = "higher" if price > item.price_at_purchase else "lower"
        return badge(
            direction, f"{money(price)} ({direction})", {"higher": "warning", "lower": "info"}
        )


def _items_count():
    items = (
        OrderItem.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), 0)


# The form of each status page (others: StatusNoteForm), the order's state it showed in each.
STATUS_FORMS = {OrderStatus.CANCELLED: CancelForm, OrderStatus.SHIPPED: ShipForm}

# The order page's buttons, by the status each one moves the order to.
ACTION_TARGETS = {
    OrderStatus.PAID: "mark_paid",
    OrderStatus.SHIPPED: "mark_shipped",
    OrderStatus.DELIVERED: "mark_delivered",
    OrderStatus.CANCELLED: "cancel_order",
}


@admin.register(Order)
class OrderAdmin(OrderDeskMixin, ExportSaysWhatMixin, ExportMixin, AccessPolicyAdmin, ModelAdmin):
    list_display = [
        "number",
        "customer",
        "status_badge",
        "items",
        "total",
        "shipment_info",
        "created_at",
    ]
    list_display_links = ["number"]
    list_select_related = ["user", "shipment"]
    list_filter = [
        "status",
        RecentFilter,
        ("created_at", RangeDateTimeFilter),
    ]
    list_filter_submit = True
    search_fields = ["user__email"]  # see get_search_results
    search_help_text = (
        "Order number, the customer's e-mail or name, or a whole SKU the order contains."
    )
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-created_at", "-id"]
    fields = [
        "number",
        "customer",
        "status_label",
        "shipment_info",
        "total",
        "created_at",
        "delivery_address",
        "timeline",
    ]
    readonly_fields = fields
    inlines = [OrderItemInline]
    actions = [
        "bulk_mark_paid",
        "bulk_mark_shipped",
        "bulk_mark_delivered",
        "bulk_cancel",
        "print_packing_slips",
    ]
    actions_detail = [
        "mark_paid",
        "mark_shipped",
        "mark_delivered",
        "cancel_order",
        # Folded away so that the breadcrumb (Sales › Orders › Order #n) keeps its room.
        {
            "title": "More",
            "icon": "more_horiz",
            "items": ["change_address", "add_note", "packing_slip"],
        },
    ]
    actions_list = ["phone_order", "ship_from_file"]
    resource_classes = [OrderLineExportResource]
    formats = FORMATS
    export_form_class = ExportForm

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=_items_count())

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if not term:
            return queryset, False
        if term.isdigit():  # an order number, in ASCII digits and in range, or nothing
            number = parse_id(term)
            return (queryset.filter(pk=number) if number else queryset.none()), False
        if "@" in term:
            return queryset.filter(user__email__iexact=term), False
        # A SKU an order contains, or the customer's name ("sara", "Sara Siddiqui": every
        # word in the first or last name).
        skus = ProductVariant.objects.filter(sku__in={term, term.upper()})
        words = search_text(term).split()[:5]
        named = Q(pk__in=[])  # nothing to look for: no customer
        if words:
            named = Q()
            for word in words:
                named &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        customers = User.objects.filter(named, is_staff=False).values("pk")
        with_sku = OrderItem.objects.filter(variant__in=skus).values("order_id")
        return queryset.filter(Q(pk__in=with_sku) | Q(user_id__in=customers)), False

    def revert_disabled(self, request, obj=None):
        return True  # an order changes only through its status actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page reads; its buttons (status actions) write, through the order service. A
        # generic Save would post the whole order back, status included.
        if request.method == "POST":
            raise PermissionDenied(
                "An order is never saved from its page: its status changes with the buttons "
                "(Mark paid, Mark shipped, Mark delivered, Cancel order)."
            )
        context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_save_as_new": False,
            "show_delete_link": False,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def has_delete_permission(self, request, obj=None):
        return False  # orders are financial records; cancel instead

    # Columns and fields.

    @display(description="Order", ordering="pk")
    def number(self, order):
        return f"#{order.pk}"

    @display(description="Customer", ordering="user__email")
    def customer(self, order):
        url = reverse("admin:users_user_change", args=[order.user_id])
        name = order.user.get_full_name()
        return format_html(
            '<a class="text-primary-600 underline dark:text-primary-500" href="{}">{}</a>'
            "<br><small>{}</small>",
            url,
            name or order.user.email,
            order.user.email,
        )

    @display(description="Status", ordering="status", label=STATUS_COLOURS)
    def status_badge(self, order):
        return order.status, order.get_status_display()

    @display(description="Status")
    def status_label(self, order):
        return badge(order.status, order.get_status_display(), STATUS_COLOURS)

    @display(description="Delivery address")
    def delivery_address(self, order):
        return multiline(order.address)

    @display(description="Total", ordering="total_price")
    def total(self, order):
        return money(order.total_price)

    @display(description="Items", ordering="item_total")
    def items(self, order):
        return order.item_total

    # Status changes: buttons on the order page, offering only what the status allows.

    # Who may press them is the role's question (change permission); which buttons the page
    # shows is the order's (its status). A stale button, pressed after somebody else moved
    # the order, reaches the service, which says what happened meanwhile.

    def has_mark_paid_permission(self, request, object_id=None):
        return self.has_change_permission(request)

    has_mark_shipped_permission = has_mark_paid_permission
    has_mark_delivered_permission = has_mark_paid_permission
    has_cancel_order_permission = has_mark_paid_permission

    def get_actions_detail(self, request, object_id):
        actions = super().get_actions_detail(request, object_id)
        order_id = parse_id(object_id)
        status = (
            Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
            if order_id
            else None
        )
        targets = allowed_targets(status) if status else []
        possible = {ACTION_TARGETS[target] for target in targets} | {"add_note", "packing_slip"}
        if status in ADDRESS_CHANGEABLE:
            possible.add("change_address")
        return [action for action in actions if action.method.__name__ in possible]

    @action(description="Mark paid", permissions=["mark_paid"], icon="payments")
    def mark_paid(self, request, object_id):
        return self._status_page(request, object_id, OrderStatus.PAID)

    @action(description="Mark shipped", permissions=["mark_shipped"], icon="local_shipping")
    def mark_shipped(self, request, object_id):
        return self._status_page(request, object_id, OrderStatus.SHIPPED)

    @action(description="Mark delivered", permissions=["mark_delivered"], icon="inventory")
    def mark_delivered(self, request, object_id):
        return self._status_page(request, object_id, OrderStatus.DELIVERED)

    @action(description="Cancel order", permissions=["cancel_order"], icon="cancel")
    def cancel_order(self, request, object_id):
        return self._status_page(request, object_id, OrderStatus.CANCELLED)

    def _status_page(self, request, object_id, target):
        order = self.get_object(request, object_id)
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        if target not in allowed_targets(order.status):
            # Opened from a page that is out of date: say why, and write nothing (a GET never
            # moves an order, even if the status changes again meanwhile).
            messages.error(request, status_refusal(order, target))
            return redirect(change_url)
        form_class = STATUS_FORMS.get(target, StatusNoteForm)
        form = form_class(request.POST or None, seen=Seen.now(orders_state([order])))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order_change_status(
                    order_id=order.pk,
                    to=target,
                    actor=request.user,
                    reason=data.get("reason") or data.get("note") or "",
                    carrier=data.get("carrier", ""),
                    tracking_number=data.get("tracking_number", ""),
                    customer_reason=data.get("customer_reason", ""),
                    seen=data["seen_state"],
                )
            except StateChanged as change:
                # The page is drawn again over the order as it is now, if it still allows this.
                order.refresh_from_db()
                if target not in allowed_targets(order.status):
                    messages.error(request, str(change))
                    return redirect(change_url)
                form = shown_again(
                    form_class, request.POST, Seen.now(orders_state([order])), str(change)
                )
            except OrderError as error:
                messages.error(request, str(error))
                return redirect(change_url)
            else:
                submissions.applied(request)
                messages.success(request, f"Order #{order.pk} marked {target.label.lower()}.")
                return redirect(change_url)
        cancelling = target == OrderStatus.CANCELLED
        intro = (
            f"The order is {order.get_status_display().lower()} now. Every line goes back into "
            "stock, and the customer is told by e-mail."
            if cancelling
            else f"The order is {order.get_status_display().lower()} now."
            + (" The customer is told by e-mail." if target != OrderStatus.DELIVERED else "")
        )
        return render_action_form(
            self,
            request,
            title=f"{'Cancel' if cancelling else 'Mark ' + target.label.lower()} order #{order.pk}",
            obj=order,
            form=form,
            submit="Cancel the order" if cancelling else f"Mark {target.label.lower()}",
            intro=intro,
            suggestions=("carriers", CARRIERS) if target == OrderStatus.SHIPPED else None,
        )

    # The delivery address, until the order ships: checked against what the page showed.

    has_change_address_permission = has_mark_paid_permission

    @action(description="Change address", permissions=["change_address"], icon="edit_location")
    def change_address(self, request, object_id):
        order = self.get_object(request, object_id)
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        refusal = address_refusal(order)
        if refusal:
            messages.error(request, refusal)
            return redirect(change_url)
        form = AddressForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            unchanged = normalise_lines(form.cleaned_data["address"]) == normalise_lines(
                order.address
            )
            try:
                order_change_address(
                    order_id=order.pk,
                    address=form.cleaned_data["address"],
                    seen=seen_value(form, "address"),
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except OrderError as error:
                form.add_error("address", str(error))
            else:
                if unchanged:
                    messages.info(
                        request, "The order already goes to that address: nothing changed."
                    )
                else:
                    submissions.applied(request)
                    messages.success(request, f"Order #{order.pk} now goes to the new address.")
                return redirect(change_url)
        return render_action_form(
            self,
            request,
            title=f"Change the delivery address of order #{order.pk}",
            obj=order,
            form=form,
            submit="Save the new address",
            intro=f"The order is {order.get_status_display().lower()}: it has not shipped yet. "
            "The old address stays in the order's history.",
        )

    # Bulk status actions: each order is tried on its own and the agent is told which failed.
    # Those that ask first (ship, cancel) confirm over the statuses their page showed.

    def _bulk(self, request, queryset, target, **change):
        order_ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        # One connection to the mail server for the whole selection.
        with sending_together():
            done, refused = orders_change_status(
                order_ids=order_ids, to=target, actor=request.user, **change
            )
        if done:
            numbers = ", ".join(f"#{pk}" for pk in done[:REFUSALS_SHOWN])
            more = f" and {len(done) - REFUSALS_SHOWN} more" if len(done) > REFUSALS_SHOWN else ""
            self.message_user(
                request, f"{len(done)} marked {target.label.lower()}: {numbers}{more}."
            )
        if refused:
            shown = " ".join(refused[:REFUSALS_SHOWN])
            more = f" …and {len(refused) - REFUSALS_SHOWN} more." if len(refused) > 15 else ""
            self.message_user(
                request, f"{len(refused)} refused. {shown}{more}", level=messages.WARNING
            )

    @admin.action(description="Mark selected orders paid", permissions=["change"])
    def bulk_mark_paid(self, request, queryset):
        self._bulk(request, queryset, OrderStatus.PAID)

    @admin.action(description="Mark selected orders shipped…", permissions=["change"])
    def bulk_mark_shipped(self, request, queryset):
        # Without tracking numbers: the page says so and offers the file that carries them.
        return self._confirmed_bulk(
            request,
            queryset,
            OrderStatus.SHIPPED,
            BulkShipForm,
            lambda data: {"carrier": data["carrier"]},
            action_name="bulk_mark_shipped",
            title="Mark {count} orders shipped",
            submit="Mark these orders shipped",
            intro="These orders ship without tracking numbers; their customers are e-mailed. "
            "To give each parcel its tracking number, ship them from a file instead.",
            links=[(reverse("admin:orders_order_ship_from_file"), "Ship from a file")],
            suggestions=("carriers", CARRIERS),
        )

    @admin.action(description="Mark selected orders delivered", permissions=["change"])
    def bulk_mark_delivered(self, request, queryset):
        self._bulk(request, queryset, OrderStatus.DELIVERED)

    @admin.action(description="Cancel selected orders…", permissions=["change"])
    def bulk_cancel(self, request, queryset):
        return self._confirmed_bulk(
            request,
            queryset,
            OrderStatus.CANCELLED,
            CancelForm,
            lambda data: {"reason": data["reason"], "customer_reason": data["customer_reason"]},
            action_name="bulk_cancel",
            title="Cancel {count} orders",
            submit="Cancel these orders",
            intro="Each order's lines go back into stock and each customer is e-mailed; orders "
            "that can no longer be cancelled are listed afterwards.",
        )

    def _confirmed_bulk(self, request, queryset, target, form_class, change, **page):
        """A bulk action that asks first, on a page listing the selection's orders as they
        are; confirmed, it is refused if any of them changed since the page was drawn."""
        orders = list(queryset.order_by("pk").select_related("user"))
        seen = Seen.now(orders_state(orders))
        form = form_class(request.POST if "confirm" in request.POST else None, seen=seen)
        if form.is_valid():
            data = form.cleaned_data
            listed = request.POST.get("shown_orders", "").split(",", SHOWN_NAMED)
            shown = [parse_id(pk) for pk in listed[:SHOWN_NAMED]]
            try:
                self._bulk(
                    request,
                    queryset,
                    target,
                    seen=data["seen_state"],
                    shown_ids=[pk for pk in shown if pk],
                    **change(data),
                )
            except StateChanged as changed:
                form = shown_again(form_class, request.POST, seen, str(changed))
            else:
                return None
        return self._confirm_selection(request, orders, form, **page)

    def _confirm_selection(self, request, orders, form, *, action_name, title, **page):
        """The page a bulk action asks its question on, listing the orders as they are now
        and posting the selection back: the ticked rows, or "all N" of the filtered list (the
        page posts to the list's URL, so its filters come along)."""
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        across = request.POST.get("select_across") == "1"
        # The orders it lists, to name those that leave the selection before it is confirmed.
        shown = ",".join(str(order.pk) for order in orders[:SHOWN_NAMED])
        return render_action_form(
            self,
            request,
            title=title.format(count=len(orders)),
            form=form,
            hidden_fields=[("action", action_name), ("select_across", "1" if across else "0")]
            + [(admin.helpers.ACTION_CHECKBOX_NAME, pk) for pk in selected]
            + [("shown_orders", shown)],
            summary=selection_summary(orders),
            **page,
        )

    # Phone orders go through the same placement service as the shop.

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:orders_order_phone_order"))

    def has_phone_order_permission(self, request):
        return self.has_add_permission(request)

    def get_urls(self):
        lookup = path(
            "customer-lookup/",
            self.admin_site.admin_view(self.customer_lookup_view),
            name="orders_order_customer_lookup",
        )
        return [lookup, *super().get_urls()]

    def customer_lookup_view(self, request):
        """The phone order's customer box, as one types: ``?q=`` -> matching customers."""
        if not self.has_phone_order_permission(request):
            raise PermissionDenied("Your role may not take phone orders.")
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        matches = [
            {"value": user.email, "label": user.get_full_name() or user.email}
            for user in customers_matching(request.GET.get("q", ""), limit=8)
        ]
        return JsonResponse({"customers": matches})

    @action(description="Phone order", permissions=["phone_order"], icon="call")
    def phone_order(self, request):
        example = (
            ProductVariant.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("sku", flat=True)
            .first()
        )
        form = PhoneOrderForm(request.POST or None, example_sku=example or "ABY-M-BLK")
        summary = None
        if request.method == "POST" and form.is_valid():
            if form.is_checked():
                try:
                    order = order_place(
                        user=form.cleaned_data["customer"],
                        address=form.cleaned_data["address"],
                        lines=form.order_lines(),
                        actor=request.user,
                        reason="Phone order",
                    )
                except OrderError as error:
                    form.add_error(None, str(error))
                else:
                    submissions.applied(request)
                    messages.success(request, f"Order #{order.pk} placed for {order.user.email}.")
                    return redirect(reverse("admin:orders_order_change", args=[order.pk]))
            else:
                # First the check: the same form, its address filled in, and what it will do.
                summary = phone_order_summary(form.cleaned_data)
                short = [
                    f"{variant.sku}: {quantity} wanted, {problem}"
                    for variant, quantity in form.cleaned_data["lines"]
                    if (problem := _line_problem(variant, quantity))
                ]
                data = request.POST.copy()
                data["address"] = form.cleaned_data["address"]
                data["checked"] = "" if short else form.fingerprint()
                form = PhoneOrderForm(data, example_sku=example or "ABY-M-BLK")
                form.is_valid()
                if short:  # nothing to place until the lines can be sold
                    form.add_error("lines", "Change these lines: " + "; ".join(short) + ".")
        checked = summary is not None and not form.errors
        return render_action_form(
            self,
            request,
            title="Phone order",
            form=form,
            submit="Place the order" if checked else "Check the order",
            intro="Check first: the page then shows the customer, the address, each line with "
            "its price and stock, and the total; change anything and it is checked again.",
            summary=summary,
        )


SELECTION_SHOWN = 50
# A bulk confirmation names the orders of its selection that changed, up to this many listed.
SHOWN_NAMED = 1000


def selection_summary(orders) -> str:
    """The orders a bulk confirmation is about, each with its status now (the first 50)."""
    rows = format_html_join(
        "",
        '<tr class="border-t border-base-200 dark:border-base-800">'
        + '<td class="px-2 py-1">{}</td>' * 4
        + "</tr>",
        (
            (f"#{o.pk}", o.user.email, o.get_status_display(), money(o.total_price))
            for o in orders[:SELECTION_SHOWN]
        ),
    )
    more = len(orders) - SELECTION_SHOWN
    return format_html(
        '<table class="w-full text-sm" id="selection"><thead><tr>'
        '<th class="px-2 py-1 text-left">Order</th><th class="px-2 py-1 text-left">Customer</th>'
        '<th class="px-2 py-1 text-left">Status now</th>'
        '<th class="px-2 py-1 text-left">Total</th></tr></thead><tbody>{}</tbody></table>{}',
        rows,
        format_html('<p class="mt-2">…and {} more.</p>', more) if more > 0 else "",
    )


def phone_order_summary(data) -> str:
    """What a phone order will be: who, where, each line with price and stock, the total."""
    customer, lines = data["customer"], data["lines"]
    total = sum((v.product.base_price * q for v, q in lines), Decimal("0.00"))
    rows = format_html_join(
        "",
        '<tr class="border-t border-base-200 dark:border-base-800">'
        + '<td class="px-2 py-1">{}</td>' * 8
        + "</tr>",
        (
            (
                variant.sku,
                variant.product.name,
                variant.get_size_display(),
                variant.color,
                money(variant.product.base_price),
                _stock_note(variant, quantity),
                quantity,
                money(variant.product.base_price * quantity),
            )
            for variant, quantity in lines
        ),
    )
    return format_html(
        "<p><strong>{}</strong> ({}) — to:<br>{}</p>"
        '<table class="w-full text-sm mt-3"><thead><tr>'
        '<th class="px-2 py-1 text-left">SKU</th><th class="px-2 py-1 text-left">Product</th>'
        '<th class="px-2 py-1 text-left">Size</th><th class="px-2 py-1 text-left">Colour</th>'
        '<th class="px-2 py-1 text-left">Price</th>'
        '<th class="px-2 py-1 text-left">In stock</th>'
        '<th class="px-2 py-1 text-left">Qty</th>'
        '<th class="px-2 py-1 text-left">Line total</th></tr></thead><tbody>{}</tbody>'
        '<tfoot><tr><th class="px-2 py-1 text-left" colspan="7">Total</th>'
        '<th class="px-2 py-1 text-left" id="phone-total">{}</th></tr></tfoot></table>',
        customer.get_full_name(),
        customer.email,
        linebreaksbr(data["address"]),
        rows,
        money(total),
    )


def _line_problem(variant, quantity) -> str:
    """Why a phone order's line cannot be sold as it stands; "" when it can. The check's
    table and its refusal both say it (order_place decides at placing, under row locks)."""
    if not variant.is_active:
        return "no longer sold"
    if variant.stock_available < quantity:
        return f"only {variant.stock_available} in stock"
    return ""


def _stock_note(variant, quantity):
    return _line_problem(variant, quantity) or variant.stock_available
