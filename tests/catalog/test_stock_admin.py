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
        "form-0-stock_available__seen": variant.stock_available,  # what the page showed
        "form-0-is_active": "on" if variant.is_active else "",
        "_save": "Save",
    }
    data.update({f"form-0-{key}": value for key, value in values.items()})
    return client.post(CHANGELIST, data)


def test_stock_filters_and_sku_search(client_as, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    VariantFactory(sku="A-1", stock_available=0)
    VariantFactory(sku="A-2", stock_available=4)
    VariantFactory(sku="A-20", stock_available=40)
    VariantFactory(sku="A-3", stock_available=9, is_active=False)
    client = client_as("warehouse")
    assert skus(client, stock="out") == {"A-1"}
    assert skus(client, stock="low") == {"A-2"}
    assert skus(client, is_active__exact=0) == {"A-3"}
    assert skus(client, q="A-2") == {"A-2", "A-20"}  # part of a SKU
    assert skus(client, q=" a-20 ") == {"A-20"}  # any case, blanks ignored
    assert skus(client, q="A-") == {"A-1", "A-2", "A-20", "A-3"}
    assert skus(client, q="B-") == set()


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
    client.post(
        url,
        {
            "sku": "CHANGED",
            "color": "Red",
            "stock_available": 6,
            "stock_available__seen": 1,
            "is_active": "on",
        },
    )
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
    data = {"reason": reason, "quantity": quantity, "note": "DN-118", "stock_seen": 3}
    response = client.post(url, data)
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_available == expected
    assert variant.history.first().history_change_reason.endswith(": DN-118")
    assert variant.history.first().history_user == client.user


def test_adjust_stock_is_one_click_from_the_row_and_returns_to_the_same_list(client_as):
    import re
    from urllib.parse import unquote

    client = client_as("warehouse")
    variant = VariantFactory(sku="LOW-1", stock_available=2)
    listing = client.get(CHANGELIST, {"stock": "low", "is_active__exact": "1"})
    html = listing.content.decode()
    adjust = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    link = re.search(rf'href="({re.escape(adjust)}[^"]*)">Adjust stock</a>', html)
    assert link, "no Adjust stock link in the row"
    url = link.group(1).replace("&amp;", "&")
    # A refused adjustment keeps the way back to that same list (not the browser's back).
    refused = client.post(url, {"reason": "damaged", "quantity": 9}).content.decode()
    back_link = re.search(r'<a href="([^"]*)"[^>]*>Back to the stock list</a>', refused)
    assert back_link, "no way back to the list"
    back_to = unquote(back_link.group(1).replace("&amp;", "&"))
    assert back_to.startswith(CHANGELIST) and "stock=low" in back_to
    response = client.post(url, {"reason": "received", "quantity": 4, "note": "DN-7"})
    assert response.status_code == 302
    back = unquote(response["Location"])
    assert back.startswith(CHANGELIST) and "stock=low" in back and "is_active__exact=1" in back
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 6


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


# Stale pages: what a person typed is checked against what they saw -------------------------


def _list_post(variant, typed, seen, **extra):
    return {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(variant.pk),
        "form-0-stock_available": str(typed),
        "form-0-stock_available__seen": str(seen),
        "form-0-is_active": "on",
        "_save": "Save",
        **extra,
    }


def test_a_stale_list_edit_is_refused_and_the_receipt_kept(client_as):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    variant = VariantFactory(sku="EVENI-002-M-BLK", stock_available=73)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    page = client.get(url).content.decode()
    assert 'name="form-0-stock_available__seen" value="73"' in page
    # Tab B: another member of staff receives 10.
    stock_adjust(
        variant=variant,
        quantity=10,
        reason=StockReason.RECEIVED,
        note="DN-9",
        actor=staff("Warehouse", email="receiver@modestwear.example"),
    )
    # Tab A, still showing 73, types 72.
    response = client.post(url, _list_post(variant, 72, 73), follow=True)
    html = response.content.decode()
    assert "EVENI-002-M-BLK went from 73 to 83 while you were editing" in html
    assert "Received: DN-9 by receiver@modestwear.example" in html
    assert "changed successfully" not in html
    variant.refresh_from_db()
    assert variant.stock_available == 83


@pytest.mark.parametrize("seen", [None, "", "abc", "7.3"])
def test_a_typed_level_without_a_readable_seen_value_is_not_saved(client_as, seen):
    variant = VariantFactory(stock_available=73)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    data = _list_post(variant, 72, seen)
    if seen is None:
        del data["form-0-stock_available__seen"]  # a crafted or truncated post
    html = client.post(url, data, follow=True).content.decode()
    assert "This page did not say which value it showed" in html
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 73


def test_a_stale_row_left_as_shown_is_not_reported_as_changed(client_as):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    variant = VariantFactory(stock_available=73, is_active=True)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    stock_adjust(
        variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=staff("Warehouse")
    )
    html = client.post(url, _list_post(variant, 73, 73), follow=True).content.decode()
    assert "changed successfully" not in html
    variant.refresh_from_db()
    assert variant.stock_available == 83 and variant.history.count() == 2


def test_a_level_left_as_it_is_needs_no_seen_value(client_as):
    variant = VariantFactory(stock_available=73, is_active=True)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    data = _list_post(variant, 73, None)
    del data["form-0-stock_available__seen"]
    data.pop("form-0-is_active")  # unticked: the other column is still saved
    client.post(url, data)
    variant.refresh_from_db()
    assert (variant.stock_available, variant.is_active) == (73, False)


def test_a_fresh_list_edit_counts_through_the_service(client_as):
    variant = VariantFactory(stock_available=73)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    client.post(url, _list_post(variant, 70, 73))
    variant.refresh_from_db()
    assert variant.stock_available == 70
    latest = variant.history.first()
    assert latest.history_change_reason == "Count correction: typed in the admin"
    assert variant.history.count() == 2  # one row for the count, none for an empty save


def test_an_untouched_stale_level_is_not_written_back(client_as):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    variant = VariantFactory(stock_available=73, is_active=True)
    client = client_as("warehouse")
    stock_adjust(
        variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=staff("Warehouse")
    )
    # The page showed 73 and the person only untick "active".
    data = _list_post(variant, 73, 73)
    del data["form-0-is_active"]
    client.post(reverse("admin:catalog_productvariant_changelist"), data)
    variant.refresh_from_db()
    assert (variant.stock_available, variant.is_active) == (83, False)


@pytest.mark.parametrize("typed", ["2147483648", "99999999999999999999", "-1", "1e3", "7\x00"])
def test_out_of_range_or_foreign_digits_are_a_form_error(client_as, typed):
    variant = VariantFactory(stock_available=5)
    client = client_as("warehouse")
    response = client.post(
        reverse("admin:catalog_productvariant_changelist"), _list_post(variant, typed, 5)
    )
    assert response.status_code == 200  # the list again, with the error on the row
    variant.refresh_from_db()
    assert variant.stock_available == 5


@pytest.mark.django_db(transaction=True)
def test_the_service_refuses_a_count_when_the_level_moved_under_the_lock(staff_user):
    """Two real connections: the count holds its expectation, a receipt commits first."""
    import threading

    from django.db import connections

    from apps.catalog.services import StockConflict, StockReason, stock_adjust, stock_count

    variant = VariantFactory(stock_available=73)
    clerk = staff_user("warehouse")

    def receive():
        try:
            stock_adjust(variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=clerk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=receive)
    thread.start()
    thread.join()
    with pytest.raises(StockConflict, match="went from 73 to 83"):
        stock_count(variant_id=variant.pk, level=72, seen=73, actor=clerk)
    variant.refresh_from_db()
    assert variant.stock_available == 83


def test_a_stale_variant_page_is_refused_too(client_as):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    variant = VariantFactory(sku="ABY-M-BLK", stock_available=73, color="Black")
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_change", args=[variant.pk])
    assert 'name="stock_available__seen" value="73"' in client.get(url).content.decode()
    stock_adjust(
        variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=staff("Warehouse")
    )
    response = client.post(
        url, {"stock_available": "72", "stock_available__seen": "73", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "ABY-M-BLK went from 73 to 83 while you were editing" in response.content.decode()
    variant.refresh_from_db()
    assert variant.stock_available == 83


def test_the_page_redisplayed_after_a_conflict_carries_the_rows_level(client_as):
    """Refused once, the page must show what the row holds now: submitting it again must
    apply the count, never report success while writing nothing."""
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    variant = VariantFactory(stock_available=16)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    stock_adjust(
        variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=staff("Warehouse")
    )
    refused = client.post(url, _list_post(variant, 18, 16))
    html = refused.content.decode()
    assert 'name="form-0-stock_available__seen" value="26"' in html
    client.post(url, _list_post(variant, 18, 26))  # the person counts again and saves
    variant.refresh_from_db()
    assert variant.stock_available == 18


def test_a_count_on_the_adjust_page_is_refused_when_the_stock_moved_meanwhile(client_as):
    from apps.orders.services import Line, order_place
    from tests.actors import system
    from tests.factories import UserFactory
    from tests.pages import form_of, post_form

    client = client_as("warehouse")
    variant = VariantFactory(sku="ABY-M-BLK", stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    page, form = form_of(client, url, containing="quantity")
    order_place(user=UserFactory(), address="x", lines=[Line(variant.pk, 1)], actor=system())
    counted = {**form, "reason": "count_correction", "quantity": "7"}
    refused = client.post(page, counted)
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "ABY-M-BLK went from 3 to 2 while you were editing (Order placed: order #" in text
    assert "2 in stock now" in text
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 2
    # Counted again against the level the page now shows, the count is taken.
    client.post(page, {**post_form(refused.content), "quantity": "7"})
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 7


def test_received_stock_is_added_whatever_moved_meanwhile(client_as):
    from apps.catalog.services import StockReason, stock_apply
    from tests.actors import system
    from tests.pages import form_of

    client = client_as("warehouse")
    variant = VariantFactory(stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    page, form = form_of(client, url, containing="quantity")
    stock_apply(deltas={variant.pk: 5}, reason=StockReason.RECEIVED, actor=system())
    client.post(page, {**form, "reason": "received", "quantity": "10"})
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 18
