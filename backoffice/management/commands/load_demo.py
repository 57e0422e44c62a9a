"""Load the demo data in ``fixtures/``: idempotent, so running it twice changes nothing.

Fixture dates are written relative to ``FIXTURE_ANCHOR`` and moved to "now" on load, so the
demo always has orders from today and the last 30 days.
"""

import io
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from PIL import Image, ImageDraw
from simple_history.models import registered_models

from apps.access.policy import system_actor
from apps.catalog.models import Category, Product, ProductImage
from apps.users.models import User
from apps.users.roles import sync_roles

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
FIXTURE_ANCHOR = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DEMO_PASSWORD = "modestwear-demo"
DEMO_STAFF = {
    "admin@modestwear.example": "superuser",
    "merch@modestwear.example": "Merchandising",
    "warehouse@modestwear.example": "Warehouse",
    "support@modestwear.example": "Support",
}
# Soft colours for placeholder images, picked by product id.
PALETTE = ["#2f3e46", "#84a98c", "#b5838d", "#6d597a", "#e5989b", "#354f52", "#a68a64", "#4a4e69"]


class Command(BaseCommand):
    help = "Load the ModestWear demo data (idempotent). Refuses to run with debug off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even with DJANGO_DEBUG off (tests); never on a production database.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the catalog already has products (keeps edits made in a demo).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "The demo data has known passwords: it is loaded only with DJANGO_DEBUG on."
            )
        if options["if_empty"] and Product.objects.exists():
            self.stdout.write("The catalog already has products: demo data left as it is.")
            return
        with transaction.atomic():
            # Demo orders return to their fixture status, which the status trigger would
            # refuse: the owner switches it off for this transaction alone (ALTER TABLE is
            # transactional; apps/orders/migrations/0004_status_transitions.py).
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE orders_order DISABLE TRIGGER orders_order_status_transition"
                )
            sync_roles()
            loaded = self.load_fixtures(timezone.now() - FIXTURE_ANCHOR)
            Category.objects.rebuild()
            # An update, not save(): the password is not audited, so no history row either.
            User.objects.filter(email__in=DEMO_STAFF).update(password=make_password(DEMO_PASSWORD))
            created_history = self.record_initial_history()
            with connection.cursor() as cursor:
                # Deferred foreign-key checks must run before the table may be altered again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    "ALTER TABLE orders_order ENABLE TRIGGER orders_order_status_transition"
                )
        images = self.ensure_images()
        self.stdout.write(
            f"Demo data loaded: {loaded} objects, {created_history} initial history rows, "
            f"{images} placeholder images written."
        )

    def load_fixtures(self, shift) -> int:
        loaded_models, count = set(), 0
        for path in sorted(FIXTURES_DIR.glob("*.json")):
            for deserialized in serializers.deserialize("json", path.read_text(encoding="utf-8")):
                obj = deserialized.object
                for field in obj._meta.concrete_fields:
                    if isinstance(field, models.DateTimeField) and getattr(obj, field.attname):
                        setattr(obj, field.attname, getattr(obj, field.attname) + shift)
                deserialized.save()
                loaded_models.add(type(obj))
                count += 1
        # Fixture rows carry explicit ids: move each sequence past them, as loaddata does.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), loaded_models):
                cursor.execute(sql)
        return count

    def record_initial_history(self) -> int:
        """An initial "+" history row for every object that has none (raw loads write none)."""
        created, system = 0, system_actor()
        for model in list(registered_models.values()):
            history_model = model.history.model
            recorded = history_model.objects.values("id")
            missing = list(model._default_manager.exclude(pk__in=recorded))
            if missing:
                model.history.bulk_history_create(
                    missing, default_user=system, default_change_reason="Demo data loaded"
                )
                created += len(missing)
        return created

    def ensure_images(self) -> int:
        written = 0
        for image in ProductImage.objects.select_related("product"):
            colour = PALETTE[image.product_id % len(PALETTE)]
            for name, size in ((image.image.name, (800, 1000)), (image.thumbnail.name, (240, 300))):
                if name and not default_storage.exists(name):
                    default_storage.save(name, placeholder(image.product.name, colour, size))
                    written += 1
        return written


def placeholder(title: str, colour: str, size: tuple[int, int]) -> ContentFile:
    picture = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    draw.text((size[0] // 12, size[1] // 2), title, fill="#ffffff")
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=80)
    return ContentFile(buffer.getvalue())
