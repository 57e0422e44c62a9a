"""A large synthetic catalog for benchmarks: products, variants, images, customers and orders.

Rows are written with PostgreSQL ``COPY`` in one transaction (about 600k variants for
``--products 100000`` in a few minutes); the category tree is built through the ORM and
rebuilt, so MPTT stays valid. Synthetic rows get no history rows: they are benchmark data,
not audited business.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from apps.catalog.models import Category, CoverageLevel
from apps.orders.models import OrderStatus

COVERAGE = {
    "Full Coverage": "Loose to the wrist and ankle, high neckline.",
    "Moderate Coverage": "Sleeves past the elbow, hem below the knee.",
    "Light Coverage": "Layering pieces and accessories.",
}
TREE = {
    "Clothing": ["Dresses", "Abayas", "Tunics", "Skirts", "Trousers"],
    "Hijabs": ["Jersey", "Chiffon", "Silk", "Instant", "Underscarves"],
    "Outerwear": ["Coats", "Jackets", "Kimonos", "Cardigans", "Capes"],
    "Activewear": ["Swimwear", "Sports Hijabs", "Leggings", "Tops", "Sets"],
    "Accessories": ["Pins", "Bags", "Belts", "Jewellery", "Gloves"],
    "Occasion": ["Evening", "Bridal", "Eid", "Workwear", "Festive"],
}
LEAVES = ["Classic", "Essentials", "New Season", "Limited"]
ADJECTIVES = ["Flowing", "Pleated", "Tiered", "Wrap", "Belted", "Embroidered", "Layered", "Soft"]
FABRICS = ["Linen", "Crepe", "Chiffon", "Jersey", "Satin", "Cotton", "Modal", "Georgette"]
GARMENTS = ["Maxi Dress", "Abaya", "Tunic", "Kimono", "Skirt", "Hijab", "Jilbab", "Cardigan"]
COLOURS = ["Black", "Navy", "Sand", "Olive", "Dusty Rose", "Ivory", "Plum", "Sage", "Mocha"]
STATUSES = list(OrderStatus.values)


class Command(BaseCommand):
    help = "Generate a large synthetic data set with COPY (for bench/). Debug or explicit opt-in."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=1000)
        parser.add_argument("--variants-per-product", type=int, default=6)
        parser.add_argument("--images-per-product", type=int, default=3)
        parser.add_argument("--customers", type=int, help="default: products / 10")
        parser.add_argument("--orders", type=int, help="default: products / 2")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--allow-without-debug", action="store_true")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError("Synthetic data is for development databases: set DJANGO_DEBUG=1.")
        products = options["products"]
        if products < 1 or not 1 <= options["variants_per_product"] <= 6:
            raise CommandError("--products must be positive; --variants-per-product 1 to 6.")
        self.random = random.Random(options["seed"])
        self.now = timezone.now()
        customers = options["customers"] or max(10, products // 10)
        orders = options["orders"] or max(10, products // 2)
        per_product = options["variants_per_product"] + options["images_per_product"] + 1
        total = products * per_product + customers + orders * 3
        with (
            transaction.atomic(),
            tqdm(total=total, unit="row", disable=options["no_progress"]) as self.progress,
        ):
            leaves, levels = self.category_leaves(), self.coverage_levels()
            product_ids, variants = self.copy_catalog(products, options, leaves, levels)
            user_ids = self.copy_customers(customers)
            self.copy_orders(orders, user_ids, variants)
            self.reset_sequences()
        self.stdout.write(
            f"Generated {products} products, {len(variants)} variants, {customers} customers "
            f"and {orders} orders."
        )

    # Reference data -------------------------------------------------------------------------

    def category_leaves(self) -> list[int]:
        leaves = []
        for root_name, children in TREE.items():
            root = self.category(root_name, None)
            for child_name in children:
                child = self.category(f"{root_name} {child_name}", root)
                leaves += [self.category(f"{child.name} {leaf}", child).pk for leaf in LEAVES]
        Category.objects.rebuild()
        return leaves

    def category(self, name, parent):
        slug = "syn-" + name.lower().replace(" ", "-")
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent": parent}
        )
        return category

    def coverage_levels(self) -> list[int]:
        return [
            CoverageLevel.objects.get_or_create(name=name, defaults={"description": text})[0].pk
            for name, text in COVERAGE.items()
        ]

    # Bulk rows ------------------------------------------------------------------------------

    def copy_catalog(self, count, options, leaves, levels):
        rnd = self.random
        first = self.next_id("catalog_product")
        variant_id = self.next_id("catalog_productvariant")
        image_id = self.next_id("catalog_productimage")
        products, variants, images, sold = [], [], [], []
        # A home page features dozens of products whatever the catalog's size.
        featured_rate = min(0.05, 60 / count)
        for pid in range(first, first + count):
            name = f"{rnd.choice(ADJECTIVES)} {rnd.choice(FABRICS)} {rnd.choice(GARMENTS)}"
            level = rnd.choice(levels)
            price = Decimal(rnd.randrange(1500, 25000)) / 100
            products.append(
                (
                    pid,
                    rnd.choice(leaves),
                    level,
                    name,
                    f"syn-{pid}",
                    f"{name}: a synthetic product in {rnd.choice(COLOURS).lower()}.",
                    price,
                    rnd.random() < featured_rate,
                    self.now - timedelta(minutes=pid % 500_000),
                )
            )
            for size in rnd.sample(range(6), options["variants_per_product"]):
                stock = rnd.choice([0, 1, 3, 8, 15, 40])
                variants.append(
                    (
                        variant_id,
                        pid,
                        level,
                        f"SYN-{pid}-{size}",
                        size,
                        rnd.choice(COLOURS),
                        stock,
                        rnd.random() > 0.05,
                    )
                )
                sold.append((variant_id, price))
                variant_id += 1
            for position in range(options["images_per_product"]):
                path = f"products/synthetic/{pid}-{position}.jpg"
                thumb = f"products/thumbnails/synthetic/{pid}-{position}.jpg"
                images.append((image_id, pid, path, thumb, position == 0, position))
                image_id += 1
        self.copy(
            "catalog_product",
            "id category_id product_size_id name slug description "
            "base_price is_featured date_added",
            products,
        )
        self.copy(
            "catalog_productvariant",
            "id product_id coverage_id sku size color stock_available is_active",
            variants,
        )
        self.copy(
            "catalog_productimage", "id product_id image thumbnail is_feature position", images
        )
        return range(first, first + count), sold

    def copy_customers(self, count):
        first = self.next_id("users_user")
        rows = [
            (
                uid,
                f"synthetic-{uid}@example.com",
                f"synthetic-{uid}",
                "!",
                "Customer",
                str(uid),
                "",
                "",
                uid % 3 != 0,
                True,
                False,
                False,
                self.now - timedelta(days=uid % 900),
            )
            for uid in range(first, first + count)
        ]
        self.copy(
            "users_user",
            "id email username password first_name last_name "
            "profile_picture phone_number is_verified is_active is_staff is_superuser "
            "date_joined",
            rows,
        )
        return range(first, first + count)

    def copy_orders(self, count, user_ids, variants):
        rnd = self.random
        first, item_id = self.next_id("orders_order"), self.next_id("orders_orderitem")
        orders, items = [], []
        for oid in range(first, first + count):
            lines = rnd.sample(variants, rnd.randint(1, 3))
            total = Decimal(0)
            for variant, price in lines:
                quantity = rnd.randint(1, 3)
                items.append((item_id, oid, variant, quantity, price))
                total += quantity * price
                item_id += 1
            orders.append(
                (
                    oid,
                    rnd.choice(user_ids),
                    rnd.choice(STATUSES),
                    total,
                    f"{oid % 200 + 1} High Street, Leeds",
                    self.now - timedelta(hours=oid % 2160),
                )
            )
        self.copy("orders_order", "id user_id status total_price address created_at", orders)
        self.copy("orders_orderitem", "id order_id variant_id quantity price_at_purchase", items)

    def copy(self, table, columns, rows, chunk=20_000):
        sql = f"COPY {table} ({', '.join(columns.split())}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for start in range(0, len(rows), chunk):
                for row in rows[start : start + chunk]:
                    copy.write_row(row)
                self.progress.update(len(rows[start : start + chunk]))

    def next_id(self, table) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            return cursor.fetchone()[0]

    def reset_sequences(self):
        tables = [
            "catalog_product",
            "catalog_productvariant",
            "catalog_productimage",
            "users_user",
            "orders_order",
            "orders_orderitem",
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
                cursor.execute(f"ANALYZE {table}")
