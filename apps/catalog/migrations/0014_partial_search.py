"""Trigram indexes for searching part of a product name or SKU in any case.

pg_trgm ships with PostgreSQL and Neon and Render allow it, but the embedded PostgreSQL of
bin/run and bin/test (the pgserver wheel) has no contrib extensions. There the indexes are
left out and the same searches run without them (correct, only slower on a big catalog);
the model state holds them either way.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

CREATE = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX IF NOT EXISTS product_name_trgm_idx
            ON catalog_product USING gin (UPPER(name) gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS variant_sku_trgm_idx
            ON catalog_productvariant USING gin (UPPER(sku) gin_trgm_ops);
    END IF;
END
$$;
"""
DROP = """
DROP INDEX IF EXISTS product_name_trgm_idx;
DROP INDEX IF EXISTS variant_sku_trgm_idx;
"""


def trigram_index(name, column):
    return django.contrib.postgres.indexes.GinIndex(
        django.contrib.postgres.indexes.OpClass(
            django.db.models.functions.text.Upper(column), name="gin_trgm_ops"
        ),
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0013_health_words"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="product", index=trigram_index("product_name_trgm_idx", "name")
                ),
                migrations.AddIndex(
                    model_name="productvariant",
                    index=trigram_index("variant_sku_trgm_idx", "sku"),
                ),
            ],
            database_operations=[migrations.RunSQL(CREATE, DROP)],
        ),
    ]
