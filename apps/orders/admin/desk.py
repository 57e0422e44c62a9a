"""The order desk around an order's status: notes, the timeline, customer e-mails (preview,
send again), packing slips and shipping from a file. Every write goes through a service."""

from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.decorators import action, display

from apps.orders.admin.forms import NoteForm, ShipmentFileForm
from apps.orders.models import Order, OutboxEmail, Shipment
from apps.orders.outbox import OutboxError, outbox_resend, sending_together
from apps.orders.selectors import email_outcome, order_timeline
from apps.orders.services import OrderError, order_add_note, order_ship_many
from apps.orders.shipping import TEMPLATE, ShipmentFileError, read_shipments
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import render_action_form
from apps.toolkit.numbers import parse_id
from apps.toolkit.words import counted

SLIPS_AT_ONCE = 500


class OrderDeskMixin:
    """Mixed into the order admin; its permission hooks are the order's."""

    @display(description="Timeline")
    def timeline(self, order):
        # The admin reads a read-only field's value several times per page: built once.
        if not hasattr(order, "_timeline_html"):
            order._timeline_html = render_to_string(
                "orders/admin/timeline.html", {"events": order_timeline(order), "order": order}
            )
        return order._timeline_html

    @display(description="Shipment")
    def shipment_info(self, order):
        try:
            shipment = order.shipment
        except Shipment.DoesNotExist:
            return "—"
        return str(shipment)

    def _order_or_redirect(self, request, object_id):
        order = self.get_object(request, object_id)
        if order is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return order, None

    # Notes -----------------------------------------------------------------------------

    def has_add_note_permission(self, request, object_id=None):
        return self.has_change_permission(request)

    @action(description="Add note", permissions=["add_note"], icon="edit_note")
    def add_note(self, request, object_id):
        order, missing = self._order_or_redirect(request, object_id)
        if missing:
            return missing
        form = NoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                order_add_note(
                    order_id=order.pk, text=form.cleaned_data["text"], actor=request.user
                )
            except OrderError as error:
                form.add_error("text", str(error))
            else:
                submissions.applied(request)
                messages.success(request, f"Note added to order #{order.pk}.")
                return redirect(reverse("admin:orders_order_change", args=[order.pk]))
        return render_action_form(
            self,
            request,
            title=f"Add a note to order #{order.pk}",
            obj=order,
            form=form,
            submit="Add the note",
            intro="Notes are for the shop: they appear in the order's timeline, with your name.",
        )

    # Packing slips ---------------------------------------------------------------------

    def has_packing_slip_permission(self, request, object_id=None):
        return self.has_view_permission(request)

    @action(
        description="Packing slip",
        permissions=["packing_slip"],
        icon="print",
        attrs={"target": "_blank"},
    )
    def packing_slip(self, request, object_id):
        order, missing = self._order_or_redirect(request, object_id)
        if missing:
            return missing
        return self._slips(request, Order.objects.filter(pk=order.pk))

    @admin.action(description="Print packing slips", permissions=["view"])
    def print_packing_slips(self, request, queryset):
        count = queryset.count()
        if count > SLIPS_AT_ONCE:
            self.message_user(
                request,
                f"{counted(count, 'order')} selected: print at most {SLIPS_AT_ONCE} packing "
                "slips at once.",
                level=messages.ERROR,
            )
            return None
        return self._slips(request, queryset)

    def _slips(self, request, queryset):
        orders = (
            queryset.order_by("pk")
            .select_related("user")
            .prefetch_related("items__variant__product")
        )
        context = {"orders": orders, "shop": settings.SHOP_NAME, "title": "Packing slips"}
        return TemplateResponse(request, "orders/packing_slips.html", context)

    # Shipping from a file --------------------------------------------------------------

    def has_ship_from_file_permission(self, request):
        return self.has_change_permission(request)

    @action(description="Ship from a file", permissions=["ship_from_file"], icon="upload_file")
    def ship_from_file(self, request):
        if request.GET.get("template") == "csv":
            response = HttpResponse(TEMPLATE, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="shipments.csv"'
            return response
        form = ShipmentFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                rows = read_shipments(form.cleaned_data["file"])
                with sending_together():
                    shipped = order_ship_many(shipments=rows, actor=request.user)
            except (ShipmentFileError, OrderError) as error:
                form.add_error("file", str(error))
            else:
                submissions.applied(request)
                numbers = ", ".join(f"#{pk}" for pk in shipped[:15])
                more = f" and {len(shipped) - 15} more" if len(shipped) > 15 else ""
                messages.success(
                    request,
                    f"{counted(len(shipped), 'order')} marked shipped, their customers e-mailed: "
                    f"{numbers}{more}.",
                )
                return redirect(reverse("admin:orders_order_changelist"))
        template_url = reverse("admin:orders_order_ship_from_file") + "?template=csv"
        return render_action_form(
            self,
            request,
            title="Ship orders from a file",
            form=form,
            submit="Ship these orders",
            intro="A CSV with one row per parcel: order number, carrier, tracking number. "
            "Rows are numbered as in a spreadsheet (the header is row 1).",
            links=[(template_url, "Download a template")],
        )

    # Customer e-mails: preview, send again ---------------------------------------------

    def get_custom_urls(self):
        return [
            *super().get_custom_urls(),
            (
                "<path:object_id>/email/<str:email_id>/",
                "orders_order_email",
                self.email_view,
            ),
        ]

    def email_view(self, request, object_id, email_id, model_admin=None):
        order = self.get_object(request, object_id)
        if not self.has_view_permission(request, order):
            raise PermissionDenied("Your role may not read orders.")
        number = parse_id(email_id)
        email = (
            OutboxEmail.objects.filter(pk=number, order=order).select_related("order").first()
            if order is not None and number
            else None
        )
        if email is None:
            raise Http404("No such e-mail on this order.")
        order_url = reverse("admin:orders_order_change", args=[order.pk])
        if request.method == "POST":
            if not self.has_change_permission(request, order):
                raise PermissionDenied("Your role may read customer e-mails but not send them.")
            try:
                sent = outbox_resend(email_id=email.pk, actor=request.user)
            except OutboxError as error:
                messages.error(request, str(error))
            else:
                submissions.applied(request)
                messages.success(
                    request,
                    f"The e-mail “{sent.get_kind_display()}” of order #{order.pk} was written "
                    f"again for {sent.recipient or 'the customer'}.",
                )
                # It is sent once this commits: what became of it is said then.
                transaction.on_commit(partial(_tell_outcome, request, sent.pk))
            return redirect(order_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"E-mail “{email.get_kind_display()}” — order #{order.pk}",
            "email": email,
            "outcome": email_outcome(email),
            "order": order,
            "order_url": order_url,
            "opts": self.opts,
            "may_send": self.has_change_permission(request, order),
        }
        return TemplateResponse(request, "orders/admin/email.html", context)


def _tell_outcome(request, email_id: int) -> None:
    sent = OutboxEmail.objects.get(pk=email_id)
    messages.info(request, f"E-mail “{sent.get_kind_display()}”: {email_outcome(sent)}")
