"""Audit history in the admin: who changed what, field by field; revert only where safe."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.catalog.models import Product
from apps.catalog.services import StockReason, stock_adjust
from tests.actors import system
from tests.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_history_page_shows_who_changed_which_field(client_as):
    client = client_as("merchandising")
    product = ProductFactory(name="Linen Abaya", base_price=Decimal("79.00"))
    product.base_price = Decimal("69.00")
    product._history_user = client.user
    product.save()
    response = client.get(reverse("admin:catalog_product_history", args=[product.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert client.user.email in html or str(client.user) in html
    assert "79.00" in html and "69.00" in html  # the field-level difference


def test_merchandising_reverts_a_product_to_an_earlier_version(client_as):
    client = client_as("merchandising")
    product = ProductFactory(name="Linen Abaya", base_price=Decimal("79.00"))
    first = product.history.get()
    product.name, product.base_price = "Renamed by mistake", Decimal("7.90")
    product.save()
    url = reverse("admin:catalog_product_simple_history", args=[product.pk, first.history_id])
    form = client.get(url)
    assert form.status_code == 200
    # The page shows the old price and carries today's as the value its save overwrites.
    html = form.content.decode()
    assert 'name="base_price" value="79.00"' in html
    assert 'name="base_price__seen" value="7.90"' in html
    data = {
        "name": "Linen Abaya",
        "slug": product.slug,
        "category": product.category_id,
        "coverage_level": product.coverage_level_id,
        "base_price": "79.00",
        "base_price__seen": "7.90",
        "description": product.description,
        "variants-TOTAL_FORMS": 0,
        "variants-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.base_price) == ("Linen Abaya", Decimal("79.00"))


def test_a_revert_over_a_price_changed_meanwhile_is_refused(client_as):
    client = client_as("merchandising")
    product = ProductFactory(name="Linen Abaya", base_price=Decimal("79.00"))
    first = product.history.get()
    product.base_price = Decimal("7.90")
    product.save()
    url = reverse("admin:catalog_product_simple_history", args=[product.pk, first.history_id])
    assert 'name="base_price__seen" value="7.90"' in client.get(url).content.decode()
    product.base_price = Decimal("65.00")  # a colleague fixes the typo while the page is open
    product.save()
    data = {
        "name": product.name,
        "slug": product.slug,
        "category": product.category_id,
        "coverage_level": product.coverage_level_id,
        "base_price": "79.00",
        "base_price__seen": "7.90",
        "description": product.description,
    }
    response = client.post(url, data, follow=True)
    assert "Nothing was reverted. Base price went from 7.90 to 65.00 while you were editing" in (
        response.content.decode()
    )
    product.refresh_from_db()
    assert product.base_price == Decimal("65.00")


@pytest.mark.parametrize("kind", ["category", "variant"])
def test_revert_is_refused_where_it_is_not_safe(client_as, kind):
    client = client_as("superuser")
    if kind == "category":
        obj = CategoryFactory()
        obj.name = "Renamed"
        obj.save()
        name = "catalog_category"
    else:
        obj = VariantFactory(stock_available=3)
        stock_adjust(variant=obj, quantity=5, reason=StockReason.RECEIVED, actor=system())
        name = "catalog_productvariant"
    first = obj.history.order_by("history_id").first()
    url = reverse(f"admin:{name}_simple_history", args=[obj.pk, first.history_id])
    assert client.get(url).status_code == 200  # the old version can still be looked at
    assert client.post(url, {"name": "Old", "stock_available": 3}).status_code == 403
    obj.refresh_from_db()
    assert obj.history.count() == 2


def test_product_history_is_readable_by_support(client_as):
    product = ProductFactory()
    response = client_as("support").get(reverse("admin:catalog_product_history", args=[product.pk]))
    assert response.status_code == 200
    assert Product.objects.count() == 1
