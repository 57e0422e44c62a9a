"""Customer e-mails, as support follows them: what was sent, what waits, what was skipped."""

from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.decorators import display

from apps.access.modeladmin import ScopedAdmin
from apps.access.policy import can
from apps.orders.models import OutboxEmail
from apps.orders.outbox import OutboxError, outbox_resend, sending_together
from apps.orders.selectors import email_outcome
from apps.toolkit.admin_helpers import EstimatedCountPaginator, badge
from apps.toolkit.numbers import parse_id
from apps.toolkit.words import counted

OUTCOME_COLOURS = {"pending": "warning", "sent": "success", "skipped": "info", "failed": "danger"}


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ScopedAdmin, ModelAdmin):
    list_display = ["created_at", "order_link", "kind", "recipient", "status_badge", "outcome"]
    list_display_links = ["created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["order"]
    search_fields = ["recipient"]  # see get_search_results
    search_help_text = "Order number or the customer's e-mail address."
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["-created_at", "-id"]
    actions = ["send_again"]
    fields = [
        "order_link",
        "kind",
        "recipient",
        "status_label",
        "outcome",
        "subject",
        "text_body",
        "created_at",
        "written_by",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # an e-mail is a record; it is sent again, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        # The service's own question (apps/orders/outbox.py: outbox_resend).
        return can(request.user, "orders.change_order")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if not term:
            return queryset, False
        if term.isdigit():
            number = parse_id(term)
            return (queryset.filter(order_id=number) if number else queryset.none()), False
        return queryset.filter(recipient__iexact=term), False

    @display(description="Order", ordering="order_id")
    def order_link(self, email):
        url = reverse("admin:orders_order_email", args=[email.order_id, email.pk])
        return format_html('<a href="{}">#{} — preview</a>', url, email.order_id)

    @display(description="Status", ordering="status", label=OUTCOME_COLOURS)
    def status_badge(self, email):
        return email.status, email.get_status_display()

    @display(description="Status")
    def status_label(self, email):
        return badge(email.status, email.get_status_display(), OUTCOME_COLOURS)

    @display(description="What became of it")
    def outcome(self, email):
        return email_outcome(email)

    @display(description="Written by")
    def written_by(self, email):
        return email.created_by.email

    @admin.action(description="Send selected e-mails again", permissions=["send_again"])
    def send_again(self, request, queryset):
        outcomes, refused = [], []
        with sending_together():
            for pk in queryset.order_by("pk").values_list("pk", flat=True):
                try:
                    outcomes.append(outbox_resend(email_id=pk, actor=request.user))
                except OutboxError as error:
                    refused.append(str(error))
        self.message_user(request, f"{counted(len(outcomes), 'e-mail')} written again.")
        if refused:
            self.message_user(request, " ".join(refused), level=messages.WARNING)
        # They are sent once the action commits: how many went is said then.
        transaction.on_commit(partial(self._tell_sent, request, [e.pk for e in outcomes]))

    def _tell_sent(self, request, ids):
        sent = OutboxEmail.objects.filter(pk__in=ids, status="sent").count()
        self.message_user(request, f"{sent} of {counted(len(ids), 'e-mail')} sent now.")
