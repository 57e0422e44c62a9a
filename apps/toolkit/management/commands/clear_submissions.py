"""Remove the records of form submissions older than a submission key's lifetime
(SUBMISSION_KEY_MAX_AGE): their keys are refused anyway, so the records answer nothing. Run it
on a schedule, e.g. daily, beside Django's clearsessions."""

from django.core.management.base import BaseCommand

from apps.toolkit.submissions import housekeep, max_age


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        removed = housekeep()
        self.stdout.write(
            f"{removed} form submission records older than {max_age().days} days removed."
        )
