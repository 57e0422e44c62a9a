"""Send the customer e-mails still waiting in the outbox (run it on a schedule, e.g. every
ten minutes: e-mails are normally sent straight after the change that wrote them; this
retries those the mail server refused or could not take at the time)."""

from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand

from apps.orders.models import OutboxEmail, OutboxStatus
from apps.orders.outbox import MAX_ATTEMPTS, outbox_send


def at_least_one(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(f"“{value}” is not a number of e-mails (1 or more)")
    return int(value)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=at_least_one,
            default=None,
            help="Send at most this many e-mails in this run.",
        )

    def handle(self, *args, limit=None, **options):
        counts = outbox_send(limit=limit)
        waiting = OutboxEmail.objects.filter(status=OutboxStatus.PENDING).count()
        self.stdout.write(
            f"{counts['sent']} sent, {counts['failed']} failed, {waiting} still waiting "
            f"(an e-mail is given up after {MAX_ATTEMPTS} attempts)."
        )
        if counts["failed"]:
            raise SystemExit(1)  # a scheduler shows the run as failed: the mail server refuses
