"""Import a big CSV or XLSX file with the same resources and validation as the admin.

    python manage.py import_catalog stock counts.csv --user warehouse@modestwear.example

Nothing is written unless every row is valid; errors are listed with row, column and reason.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.access.policy import can, system_actor
from apps.catalog.resources import (
    CategoryResource,
    ProductResource,
    StockUpdateResource,
    VariantResource,
)
from apps.toolkit.importing import CSV, XLSX, ImportFileError, describe_errors, new_batch_name
from apps.users.models import User

RESOURCES = {
    "categories": CategoryResource,
    "products": ProductResource,
    "variants": VariantResource,
    "stock": StockUpdateResource,
}


class Command(BaseCommand):
    help = "Import categories, products, variants or stock updates from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(RESOURCES))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="e-mail of the member of staff the import is recorded for "
            "(default: the system account)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, resource, file, user, dry_run, no_progress, **options):
        actor = system_actor()
        if user:
            actor = User.objects.filter(email__iexact=user, is_staff=True, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active staff account has the e-mail {user}.")
        resource_class = RESOURCES[resource]
        if not can(actor, resource_class.import_permission):
            raise CommandError(f"{actor.email} may not import {resource}.")
        dataset = self.read(file)
        importer = resource_class(user=actor, batch_name=new_batch_name(file.name))
        with tqdm(total=len(dataset), unit="row", disable=no_progress) as progress:
            importer.progress = progress
            result = importer.import_data(
                dataset, dry_run=dry_run, use_transactions=True, user=actor, file_name=file.name
            )
        problems = describe_errors(result)
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} problem(s): nothing was imported.")
        totals = result.totals
        verb = "Checked (dry run)" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {file.name} as “{importer.batch_name}”: {totals['new']} new, "
            f"{totals['update']} updated, {totals['skip']} unchanged."
        )

    def read(self, file: Path):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        data = file.read_bytes()
        file_format = XLSX() if file.suffix.lower() == ".xlsx" else CSV()
        try:
            return file_format.create_dataset(data)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        except Exception as error:
            raise CommandError(f"{file.name} could not be read: {error}") from error
