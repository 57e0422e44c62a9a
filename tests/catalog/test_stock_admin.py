import pytest
from django.urls import reverse

from apps.catalog.models import ProductVariant
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:catalog_productvariant_changelist")


def skus(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {variant.sku for variant in response.context["cl"].result_list}


def list_edit(client, variant, **values):
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": variant.pk,
        "form-0-stock_available": variant.stock_available,
        "form-0-is_active": "on" if variant.is_active else "",
        "_save": "Save",
    }
    data.update({f"form-0-{key}": value for key, value in values.items()})
    return client.post(CHANGELIST, data)


def test_stock_filters_and_exact_sku_lookup(client_as, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    VariantFactory(sku="A-1", stock_available=0)
    VariantFactory(sku="A-2", stock_available=4)
    VariantFactory(sku="A-20", stock_available=40)
    VariantFactory(sku="A-3", stock_available=9, is_active=False)
    client = client_as("warehouse")
    assert skus(client, stock="out") == {"A-1"}
    assert skus(client, stock="low") == {"A-2"}
    assert skus(client, is_active__exact=0) == {"A-3"}
    assert skus(client, q="A-2") == {"A-2"}  # exact: A-20 is not listed
    assert skus(client, q=" a-2 ") == {"A-2"}
    assert skus(client, q="A-") == set()


def test_warehouse_edits_stock_in_the_list_through_the_stock_service(client_as):
    client = client_as("warehouse")
    variant = VariantFactory(stock_available=4)
    response = list_edit(client, variant, stock_available=12)
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_available == 12
    latest = variant.history.first()
    assert latest.history_change_reason == "Count correction: typed in the admin"
    assert latest.history_user == client.user


def test_negative_stock_in_the_list_is_refused_and_nothing_saved(client_as):
    client = client_as("warehouse")
    variant = VariantFactory(stock_available=4)
    response = list_edit(client, variant, stock_available=-3, is_active="")
    assert response.status_code == 200
    assert "Stock cannot go below zero." in response.content.decode()
    variant.refresh_from_db()
    assert (variant.stock_available, variant.is_active) == (4, True)


def test_merchandising_cannot_edit_stock_in_the_list(client_as):
    client = client_as("merchandising")
    variant = VariantFactory(stock_available=4)
    html = client.get(CHANGELIST).content.decode()
    assert 'name="form-0-stock_available"' not in html
    assert 'name="form-0-is_active"' in html
    list_edit(client, variant, stock_available=99)
    variant.refresh_from_db()
    assert variant.stock_available == 4


def test_warehouse_cannot_change_sku_or_colour(client_as):
    client = client_as("warehouse")
    variant = VariantFactory(sku="KEEP-1", color="Sand", stock_available=1)
    url = reverse("admin:catalog_productvariant_change", args=[variant.pk])
    html = client.get(url).content.decode()
    assert 'name="sku"' not in html and 'name="stock_available"' in html
    client.post(url, {"sku": "CHANGED", "color": "Red", "stock_available": 6, "is_active": "on"})
    variant.refresh_from_db()
    assert (variant.sku, variant.color, variant.stock_available) == ("KEEP-1", "Sand", 6)


@pytest.mark.parametrize(
    ("reason", "quantity", "expected"),
    [("received", 10, 13), ("damaged", 2, 1), ("count_correction", 7, 7)],
)
def test_adjust_stock_action(client_as, reason, quantity, expected):
    client = client_as("warehouse")
    variant = VariantFactory(stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": reason, "quantity": quantity, "note": "DN-118"})
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_available == expected
    assert variant.history.first().history_change_reason.endswith(": DN-118")
    assert variant.history.first().history_user == client.user


def test_adjusting_below_zero_shows_the_reason_and_saves_nothing(client_as):
    client = client_as("warehouse")
    variant = VariantFactory(sku="HJB-1", stock_available=1)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    response = client.post(url, {"reason": "damaged", "quantity": 5})
    assert response.status_code == 200
    assert "HJB-1: only 1 in stock, cannot remove 5" in response.content.decode()
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 1


@pytest.mark.parametrize("role", ["merchandising", "support"])
def test_only_the_warehouse_adjusts_stock(client_as, role):
    variant = VariantFactory(stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    response = client_as(role).post(url, {"reason": "received", "quantity": 5})
    assert response.status_code in (302, 403)
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 3
