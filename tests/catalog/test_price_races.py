"""Two people saving one product's price at the same moment, on real parallel connections:
one price is saved, the other person is told, and nothing is lost silently."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from apps.catalog.models import Product
from tests.actors import staff
from tests.catalog.test_product_admin import _product_post as form
from tests.factories import ProductFactory
from tests.keyed import KeyedClient as Client

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*posts):
    """Each (user, url, data) posted by its own client on its own connection, together."""
    barrier = threading.Barrier(len(posts))
    statuses = [None] * len(posts)

    def run(index, user, url, data):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            statuses[index] = client.post(url, data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.parametrize("attempt", range(3))
def test_two_price_changes_at_once_save_one_and_refuse_the_other(attempt):
    product = ProductFactory(base_price=Decimal("79.00"))
    url = reverse("admin:catalog_product_change", args=[product.pk])
    first, second = staff("Merchandising"), staff("Merchandising")
    statuses = at_once(
        (first, url, form(product, "75.00", "79.00")),
        (second, url, form(product, "69.00", "79.00")),
    )
    # A save redirects (302); a refusal redraws the form with the conflict (200).
    assert sorted(statuses) == [200, 302], statuses
    winner = "75.00" if statuses[0] == 302 else "69.00"
    assert Product.objects.get(pk=product.pk).base_price == Decimal(winner)
    assert product.history.count() == 2  # created, then one price: the refused one wrote nothing


def test_a_revert_and_a_price_change_at_once_never_both_succeed():
    product = ProductFactory(base_price=Decimal("79.00"))
    first = product.history.get()
    product.base_price = Decimal("7.90")  # the typo the revert undoes
    product.save()
    revert = reverse("admin:catalog_product_simple_history", args=[product.pk, first.history_id])
    change = reverse("admin:catalog_product_change", args=[product.pk])
    statuses = at_once(
        (staff("Merchandising"), revert, form(product, "79.00", "7.90")),
        (staff("Merchandising"), change, form(product, "65.00", "7.90")),
    )
    # The revert redirects either way (to the history after success, back to itself with
    # the conflict); what matters is the row: one price, and one history row for it.
    price = Product.objects.get(pk=product.pk).base_price
    assert price in {Decimal("79.00"), Decimal("65.00")}, statuses
    assert product.history.count() == 3, list(product.history.values_list("base_price"))
