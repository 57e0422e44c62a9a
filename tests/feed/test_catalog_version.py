"""The catalog version PostgreSQL keeps (migration feed/0001), on real, committing connections:
raised once per committed transaction that changes what the feed shows, whoever writes, and
never visible before the data it stands for."""

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.users.models import User
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def connect(**options):
    """Another client of the test database: psql, another application."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        **options,
    )


@pytest.fixture
def other():
    with connect(autocommit=True) as conn:
        yield conn


def version(conn) -> int:
    return conn.execute("SELECT version FROM feed_catalog_version").fetchone()[0]


@pytest.fixture
def product(db):
    product = ProductFactory(category=CategoryFactory())
    VariantFactory(product=product)
    return product


def test_raised_once_at_commit_never_before(other, product):
    before = version(other)
    with other.transaction():
        other.execute("UPDATE catalog_product SET name = 'A' WHERE id = %s", [product.pk])
        other.execute(
            "UPDATE catalog_productvariant SET color = 'Teal' WHERE product_id = %s", [product.pk]
        )
        other.execute("INSERT INTO catalog_coveragelevel (name, description) VALUES ('X', '')")
        # Not committed: no reader may see a new version yet.
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM feed_catalog_version")
            assert cursor.fetchone()[0] == before
    assert version(other) == before + 1


def test_a_rolled_back_transaction_changes_nothing(other, product):
    before = version(other)
    with pytest.raises(RuntimeError), other.transaction():
        other.execute("UPDATE catalog_product SET name = 'B' WHERE id = %s", [product.pk])
        raise RuntimeError("rolled back")
    assert version(other) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE catalog_category SET is_active = false",
        "UPDATE catalog_productimage SET position = 1",
        "DELETE FROM outfits_outfititem",
        "UPDATE outfits_outfit SET name = name",
        "TRUNCATE outfits_outfititem",
    ],
)
def test_every_table_the_feed_reads_raises_it(other, product, statement):
    before = version(other)
    other.execute(statement)
    assert version(other) == before + 1


def test_a_sign_in_neither_raises_it_nor_writes_history(other):
    user = UserFactory(email="sam@example.com", is_staff=True)
    user.set_password("a long enough password 1")
    user.save()
    before, history = version(other), user.history.count()
    response = Client().post(
        reverse("admin:login"), {"username": user.email, "password": "a long enough password 1"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert (version(other), user.history.count()) == (before, history)


def test_what_outfits_show_of_their_creator_raises_it(other):
    user = UserFactory(email="fatima@example.com")
    before = version(other)
    User.objects.filter(pk=user.pk).update(email="f@example.com", is_active=False)
    assert version(other) == before  # never in the feed
    User.objects.filter(pk=user.pk).update(username="fatima2")
    assert version(other) == before + 1
    User.objects.filter(pk=user.pk).update(profile_picture="profile_pictures/new.jpg")
    assert version(other) == before + 2


def test_two_committing_writers_both_count(other, product):
    # The version row is locked only while a transaction commits: two transactions that change
    # the catalog at once both finish, and both raise the version.
    before = version(other)
    with connect() as third:
        third.execute(
            "UPDATE catalog_productvariant SET color = 'Red' WHERE product_id = %s", [product.pk]
        )
        # The first writer still holds its transaction open; the second writes and commits.
        other.execute("UPDATE catalog_product SET name = 'C' WHERE id = %s", [product.pk])
        third.commit()
    assert version(other) == before + 2


@pytest.mark.parametrize(
    ("table", "url"),
    [
        # A long lock (a migration, a bulk job) holds the table past the feed's timeout …
        ("catalog_product", "/api/catalog/products/{pk}/"),
        # … or the version itself cannot be read.
        ("feed_catalog_version", "/api/catalog/products/"),
    ],
)
def test_a_query_cut_off_by_the_statement_timeout_is_a_503_to_retry(
    other, product, client, table, url
):
    with other.transaction():
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 300")
        try:
            response = client.get(url.format(pk=product.pk))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]
