"""The live database matches the shop's schema (../shared/seed/database-architecture.txt).

Read from PostgreSQL's own catalog, not from Django's models: this is what an existing database
of the shop would be compared with. TIMESTAMP columns are ``timestamp with time zone`` — Django
stores aware datetimes, and PostgreSQL compares and reads both kinds the same way.
"""

import pytest
from django.db import connection

VARCHAR = "character varying"
TS = "timestamp with time zone"

# table -> column -> (type, length or (precision, scale), nullable)
SEED_TABLES = {
    "users_user": {
        "id": ("integer", None, False),
        "email": (VARCHAR, 254, False),
        "username": (VARCHAR, 70, False),
        "password": (VARCHAR, 128, False),
        "first_name": (VARCHAR, 128, False),
        "last_name": (VARCHAR, 70, False),
        "profile_picture": (VARCHAR, 100, False),
        "phone_number": (VARCHAR, 15, False),
        "is_verified": ("boolean", None, False),
        "is_active": ("boolean", None, False),
        "is_staff": ("boolean", None, False),
        "is_superuser": ("boolean", None, False),
        "date_joined": (TS, None, False),
        "last_login": (TS, None, True),
    },
    "catalog_category": {
        "id": ("integer", None, False),
        "parent_id": ("integer", None, True),
        "name": (VARCHAR, 255, False),
        "slug": (VARCHAR, 50, False),
        "is_active": ("boolean", None, False),
    },
    "catalog_coveragelevel": {
        "id": ("integer", None, False),
        "name": (VARCHAR, 255, False),
        "description": ("text", None, False),
    },
    "catalog_product": {
        "id": ("integer", None, False),
        "category_id": ("integer", None, False),
        "product_size_id": ("integer", None, True),
        "name": (VARCHAR, 255, False),
        "slug": (VARCHAR, 50, False),
        "description": ("text", None, False),
        "base_price": ("numeric", (6, 2), False),
        "is_featured": ("boolean", None, False),
        "date_added": (TS, None, False),
    },
    "catalog_productvariant": {
        "id": ("integer", None, False),
        "product_id": ("integer", None, False),
        "coverage_id": ("integer", None, True),
        "sku": (VARCHAR, 255, False),
        "size": ("integer", None, False),
        "color": (VARCHAR, 100, False),
        "stock_available": ("integer", None, False),
        "is_active": ("boolean", None, False),
    },
    "catalog_productimage": {
        "id": ("integer", None, False),
        "product_id": ("integer", None, False),
        "image": (VARCHAR, 100, False),
        "thumbnail": (VARCHAR, 100, False),
        "is_feature": ("boolean", None, False),
    },
    "orders_wishlist": {
        "id": ("integer", None, False),
        "user_id": ("integer", None, False),
        "variant_id": ("integer", None, False),
        "added_at": (TS, None, False),
    },
    "orders_cartitem": {
        "id": ("integer", None, False),
        "user_id": ("integer", None, True),
        "session_key": (VARCHAR, 40, True),
        "variant_id": ("integer", None, False),
        "quantity": ("integer", None, False),
        "created_at": (TS, None, False),
    },
    "orders_order": {
        "id": ("integer", None, False),
        "user_id": ("integer", None, False),
        "status": (VARCHAR, 20, False),
        "total_price": ("numeric", (10, 2), False),
        "address": ("text", None, False),
        "created_at": (TS, None, False),
    },
    "orders_orderitem": {
        "id": ("integer", None, False),
        "order_id": ("integer", None, False),
        "variant_id": ("integer", None, False),
        "quantity": ("integer", None, False),
        "price_at_purchase": ("numeric", (10, 2), False),
    },
    "outfits_outfit": {
        "id": ("integer", None, False),
        "user_id": ("integer", None, False),
        "name": (VARCHAR, 255, False),
        "description": ("text", None, False),
        "is_public": ("boolean", None, False),
        "created_at": (TS, None, False),
        "updated_at": (TS, None, False),
    },
    "outfits_outfititem": {
        "id": ("integer", None, False),
        "outfit_id": ("integer", None, False),
        "product_id": ("integer", None, False),
        "position": ("integer", None, False),
    },
}

FOREIGN_KEYS = {
    ("catalog_category", "parent_id"): "catalog_category",
    ("catalog_product", "category_id"): "catalog_category",
    ("catalog_product", "product_size_id"): "catalog_coveragelevel",
    ("catalog_productvariant", "product_id"): "catalog_product",
    ("catalog_productvariant", "coverage_id"): "catalog_coveragelevel",
    ("catalog_productimage", "product_id"): "catalog_product",
    ("orders_wishlist", "user_id"): "users_user",
    ("orders_wishlist", "variant_id"): "catalog_productvariant",
    ("orders_cartitem", "user_id"): "users_user",
    ("orders_cartitem", "variant_id"): "catalog_productvariant",
    ("orders_order", "user_id"): "users_user",
    ("orders_orderitem", "order_id"): "orders_order",
    ("orders_orderitem", "variant_id"): "catalog_productvariant",
    ("outfits_outfit", "user_id"): "users_user",
    ("outfits_outfititem", "outfit_id"): "outfits_outfit",
    ("outfits_outfititem", "product_id"): "catalog_product",
}

UNIQUE = [
    ("users_user", ("email",)),
    ("users_user", ("username",)),
    ("catalog_product", ("slug",)),
    ("catalog_productvariant", ("sku",)),
    ("orders_wishlist", ("user_id", "variant_id")),
    ("outfits_outfititem", ("outfit_id", "product_id")),
]

# The indexes the seed lists by name, composite ones included.
INDEXES = [
    ("users_user", ("username",)),
    ("catalog_product", ("category_id",)),
    ("catalog_product", ("is_featured",)),
    ("catalog_product", ("category_id", "is_featured")),
    ("catalog_productvariant", ("product_id",)),
    ("catalog_productvariant", ("product_id", "is_active")),
    ("orders_cartitem", ("user_id",)),
    ("orders_cartitem", ("session_key",)),
    ("orders_order", ("user_id",)),
    ("orders_order", ("status",)),
    ("orders_order", ("created_at",)),
    ("orders_order", ("user_id", "status")),
    ("outfits_outfit", ("user_id",)),
    ("outfits_outfit", ("is_public",)),
]


def fetch(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def table_columns(table):
    rows = fetch(
        """
        SELECT column_name, data_type, character_maximum_length, numeric_precision,
               numeric_scale, is_nullable = 'YES', column_default, is_identity = 'YES'
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = %s
        """,
        [table],
    )
    return {row[0]: row[1:] for row in rows}


def table_indexes(table):
    """(columns, is_unique) of every index on ``table``; expression columns show as None."""
    rows = fetch(
        """
        SELECT i.indisunique,
               array_agg(a.attname ORDER BY k.ordinality) FILTER (WHERE k.attnum > 0),
               count(*) FILTER (WHERE k.attnum = 0)
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
        LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace
        GROUP BY i.indexrelid, i.indisunique
        """,
        [table],
    )
    return [(tuple(columns or ()), unique, expressions) for unique, columns, expressions in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(SEED_TABLES))
def test_every_seed_column_has_its_type_length_and_nullability(table):
    columns = table_columns(table)
    assert columns, f"table {table} is missing"
    for name, (data_type, size, nullable) in SEED_TABLES[table].items():
        assert name in columns, f"{table}.{name} is missing"
        actual_type, length, precision, scale, is_nullable, _, _ = columns[name]
        assert actual_type == data_type, f"{table}.{name} is {actual_type}"
        if data_type == "numeric":
            assert (precision, scale) == size, f"{table}.{name} is numeric({precision},{scale})"
        else:
            assert length == size, f"{table}.{name} has length {length}"
        assert is_nullable == nullable, f"{table}.{name} nullable={is_nullable}"


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(SEED_TABLES))
def test_primary_key_is_a_serial_compatible_integer(table):
    _, _, _, _, _, default, is_identity = table_columns(table)["id"]
    assert is_identity or (default or "").startswith("nextval(")
    primary = fetch(
        """
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = %s::regclass AND i.indisprimary
        """,
        [table],
    )
    assert primary == [("id",)]


@pytest.mark.django_db
@pytest.mark.parametrize(("table_column", "target"), sorted(FOREIGN_KEYS.items()))
def test_foreign_key_points_at_the_seed_table_and_is_indexed(table_column, target):
    table, column = table_column
    targets = fetch(
        """
        SELECT confrelid::regclass::text, af.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s
        """,
        [table, column],
    )
    assert targets == [(target, "id")]
    leading = [columns[0] for columns, _, _ in table_indexes(table) if columns]
    assert column in leading, f"{table}.{column} has no index"


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "columns"), UNIQUE)
def test_unique_constraints(table, columns):
    assert any(cols == columns and unique for cols, unique, _ in table_indexes(table))


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "columns"), INDEXES)
def test_seed_indexes(table, columns):
    assert any(cols == columns for cols, _, _ in table_indexes(table)), table_indexes(table)


@pytest.mark.django_db
def test_product_full_text_index_is_a_gin_index_over_name_and_description():
    [(definition,)] = fetch(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'catalog_product' "
        "AND indexname = 'product_fulltext_idx'"
    )
    assert "USING gin" in definition
    assert "to_tsvector('english'" in definition
    assert "name" in definition and "description" in definition


@pytest.mark.django_db
def test_the_twelve_seed_tables_exist_under_their_names():
    tables = {name for (name,) in fetch("SELECT tablename FROM pg_tables")}
    assert set(SEED_TABLES) <= tables
    assert len(SEED_TABLES) == 12
