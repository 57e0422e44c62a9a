"""The order desk's forms: each collects what one button needs, the service checks it."""

import hashlib

from django import forms
from django.urls import reverse_lazy
from unfold.widgets import UnfoldAdminTextareaWidget, UnfoldAdminTextInputWidget

from apps.catalog.models import ProductVariant
from apps.orders.selectors import customers_matching, phone_customers
from apps.orders.services import (
    ADDRESS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    SHIPMENT_FIELD_MAX,
    Line,
    normalise_lines,
)
from apps.toolkit.confirmations import ConfirmationForm
from apps.toolkit.forms import NOT_SEEN, seen_value, with_seen_value
from apps.toolkit.numbers import parse_int
from apps.toolkit.search import search_text


class CancelForm(ConfirmationForm):
    reason = forms.CharField(
        max_length=200,
        widget=UnfoldAdminTextInputWidget,
        help_text="For the shop: kept in the order's history, never sent to the customer.",
    )
    customer_reason = forms.CharField(
        label="Reason for the customer",
        max_length=500,
        required=False,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
        help_text="Optional: written in the cancellation e-mail, e.g. “The item is out of "
        "stock.” Leave empty to give no reason.",
    )


# Carriers offered as suggestions; any other name may be typed.
CARRIERS = ["Royal Mail", "DPD", "DHL", "Evri", "UPS", "FedEx", "Parcelforce"]


def carrier_field(help_text: str) -> forms.CharField:
    """A carrier's name, with CARRIERS suggested (the page renders the "carriers" list)."""
    return forms.CharField(
        max_length=SHIPMENT_FIELD_MAX,
        required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"list": "carriers", "autocomplete": "off"}),
        help_text=help_text,
    )


class ShipForm(ConfirmationForm):
    """Carrier and tracking number: optional, but leaving both out is a deliberate choice."""

    carrier = carrier_field("Pick or type the carrier's name.")
    tracking_number = forms.CharField(
        max_length=SHIPMENT_FIELD_MAX,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Sent to the customer in the shipping e-mail.",
    )
    without_tracking = forms.BooleanField(
        label="Ship without a carrier or tracking number",
        required=False,
        help_text="The customer's e-mail then says the parcel has no tracking.",
    )
    note = forms.CharField(
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Optional, for the shop: kept in the order's history.",
    )

    def clean(self):
        cleaned = super().clean()
        given = cleaned.get("carrier") or cleaned.get("tracking_number")
        if not self.errors and not given and not cleaned.get("without_tracking"):
            raise forms.ValidationError(
                "Enter the carrier and tracking number, or tick “Ship without a carrier or "
                "tracking number”."
            )
        return cleaned


class BulkShipForm(ConfirmationForm):
    carrier = carrier_field("Optional: the carrier of every selected parcel.")
    without_tracking = forms.BooleanField(
        label="Ship these orders without tracking numbers",
        help_text="Their customers' e-mails say the parcels have no tracking.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH * 2,  # line breaks post as two characters; the service counts
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        help_text="For the shop only: customers never see notes.",
    )


class ShipmentFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: order, carrier, tracking (a header row first). Every order must be "
        "paid; one wrong row refuses the whole file and nothing is shipped.",
    )


class StatusNoteForm(ConfirmationForm):
    note = forms.CharField(
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Optional: tracking number, payment reference…",
    )


class AddressForm(forms.Form):
    """A new delivery address, carrying the one the page showed (``address__seen``)."""

    # Its length is checked by the service once line breaks are one character (a browser
    # posts them as two); the form only keeps absurd posts out.
    address = forms.CharField(
        label="Delivery address",
        max_length=2 * ADDRESS_MAX_LENGTH,
        widget=with_seen_value(UnfoldAdminTextareaWidget),
    )
    reason = forms.CharField(
        max_length=200,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text="Optional: who asked for it, e.g. “customer phoned”. Kept in the history.",
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, initial={"address": order.address}, **kwargs)
        self.fields["address"].widget.seen = order.address

    def clean(self):
        cleaned = super().clean()
        if "address" in cleaned and not seen_value(self, "address"):  # never blank when shown
            self.add_error("address", NOT_SEEN)
        return cleaned


class CustomerLookupWidget(UnfoldAdminTextInputWidget):
    """A text box that offers matching customers as one types (orders/customer-lookup.js asks
    OrderAdmin.customer_lookup_view, which answers with customers_matching)."""

    def __init__(self, attrs=None):
        url = reverse_lazy("admin:orders_order_customer_lookup")
        attrs = {
            "list": "customer-matches",
            "autocomplete": "off",
            "data-lookup": url,
            **(attrs or {}),
        }
        super().__init__(attrs)

    class Media:
        js = ["orders/customer-lookup.js"]


class PhoneOrderForm(forms.Form):
    """A phone order, checked before it is placed: the page first shows the customer, the
    address, each line with its price and stock and the total; placing needs that check to
    match what is posted (``checked``), so an edit after the check is checked again."""

    customer = forms.CharField(
        label="Customer",
        max_length=254,
        widget=CustomerLookupWidget,
        help_text="E-mail address or name: matching customers are offered as you type.",
    )
    address = forms.CharField(
        label="Delivery address",
        required=False,
        max_length=2 * ADDRESS_MAX_LENGTH,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="Leave empty to use the address of the customer's last order.",
    )
    lines = forms.CharField(
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        help_text="One line per item: SKU and quantity, e.g. “{example} 2”.",
    )
    checked = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, example_sku="ABY-M-BLK", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].help_text = self.fields["lines"].help_text.format(example=example_sku)

    def clean_customer(self):
        text = " ".join(self.cleaned_data["customer"].split())
        if "@" in text:
            user = phone_customers().filter(email__iexact=text).first()
            if user is None:
                raise forms.ValidationError(f"No active customer has the e-mail address {text}.")
            return user
        if not search_text(text):
            raise forms.ValidationError("Enter the customer's e-mail address or name.")
        found = customers_matching(text, limit=6)
        if not found:
            raise forms.ValidationError(f"No active customer is called “{text}”.")
        if len(found) > 1:
            names = "; ".join(f"{u.get_full_name()} ({u.email})" for u in found[:5])
            more = " and more" if len(found) > 5 else ""
            raise forms.ValidationError(
                f"Several customers match “{text}”: {names}{more}. Enter the e-mail address."
            )
        return found[0]

    def clean_lines(self):
        wanted = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = raw.split()
            if not parts:
                continue
            quantity = parse_int(parts[1], minimum=1) if len(parts) == 2 else 1
            if len(parts) > 2 or quantity is None:
                raise forms.ValidationError(f"Line {number}: write a SKU and a quantity.")
            wanted.append((number, parts[0], quantity))
        if not wanted:
            raise forms.ValidationError("Add at least one line.")
        variants = {
            v.sku.upper(): v
            for v in ProductVariant.objects.filter(
                sku__in={s for _, sku, _ in wanted for s in (sku, sku.upper())}
            ).select_related("product")
        }
        unknown = [
            f"Line {n}: unknown SKU {sku}." for n, sku, _ in wanted if sku.upper() not in variants
        ]
        if unknown:
            raise forms.ValidationError(" ".join(unknown))
        return [(variants[sku.upper()], quantity) for _, sku, quantity in wanted]

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer")
        if customer is not None and not (cleaned.get("address") or "").strip():
            last = (
                customer.orders.order_by("-created_at", "-pk")
                .values_list("address", flat=True)
                .first()
            )
            if last is None:
                self.add_error("address", "This customer has no earlier order: enter the address.")
            else:
                cleaned["address"] = last
        return cleaned

    def fingerprint(self) -> str:
        """What the check showed: the customer, the address and the lines."""
        data = self.cleaned_data
        lines = ",".join(f"{v.pk}x{q}" for v, q in data["lines"])
        text = f"{data['customer'].pk}|{normalise_lines(data['address'])}|{lines}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def is_checked(self) -> bool:
        return self.cleaned_data.get("checked") == self.fingerprint()

    def order_lines(self) -> list[Line]:
        return [Line(variant.pk, quantity) for variant, quantity in self.cleaned_data["lines"]]
