"""One submission, one effect (apps/toolkit/submissions/), tested from the outside: pages
drawn and forms sent by a plain client (no key added for it), the keys read off the pages."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import ProductVariant
from apps.toolkit.models import Submission
from apps.toolkit.submissions import FIELD, HEADER, issue, read
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    VariantFactory,
)
from tests.pages import form_of, keys_in, post_form

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def warehouse(staff_user):
    return staff_user("warehouse")


def adjust_page(client, variant):
    """The adjust-stock form as its page draws it: (its address, the data it sends)."""
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    drawn = client.get(url, follow=True)
    assert drawn.status_code == 200
    page = drawn.redirect_chain[-1][0] if drawn.redirect_chain else url
    return page, post_form(drawn.content, containing="quantity")


def stock_of(variant) -> int:
    return ProductVariant.objects.get(pk=variant.pk).stock_available


# Keys -------------------------------------------------------------------------------------


def test_a_key_is_for_the_person_it_was_drawn_for(staff_user):
    first, second = staff_user("warehouse"), staff_user("support")
    token = issue(first)
    assert read(token, first)[0] is not None
    key, why = read(token, second)
    assert key is None and "not one drawn for you" in why
    assert read(token[:-2] + "xx", first)[0] is None  # forged
    assert read("", first)[0] is None


def test_a_key_older_than_its_lifetime_is_refused(warehouse, settings):
    token = issue(warehouse)
    settings.SUBMISSION_KEY_MAX_AGE = timedelta(seconds=-1)
    key, why = read(token, warehouse)
    assert key is None and "can no longer be sent" in why


# The adjust-stock door, as the warehouse uses it -----------------------------------------


def test_the_page_pins_its_key_in_its_address_and_its_form(warehouse):
    client = signed_in(warehouse)
    variant = VariantFactory(stock_available=3)
    url = reverse("admin:catalog_productvariant_adjust_stock", args=[variant.pk])
    first = client.get(url)
    assert first.status_code == 302 and f"{FIELD}=" in first["Location"]
    page, data = adjust_page(client, variant)
    pinned = page.split(f"{FIELD}=")[1]
    from urllib.parse import unquote

    assert data[FIELD] == unquote(pinned)


def test_a_double_submission_applies_once_and_says_what_the_first_did(warehouse):
    client = signed_in(warehouse)
    variant = VariantFactory(sku="ABY-M-BLK", stock_available=3)
    page, data = adjust_page(client, variant)
    data.update(reason="received", quantity="10", note="DN-9")
    first = client.post(page, data)
    assert first.status_code == 302
    assert stock_of(variant) == 13
    history = variant.history.count()

    second = client.post(page, data)
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert stock_of(variant) == 13
    assert variant.history.count() == history
    message = said(second)[-1]
    assert message.startswith("Already done at ")
    assert warehouse.email in message
    assert "ABY-M-BLK: +10 Received (DN-9), stock 3 → 13." in message


def test_back_to_a_used_page_says_what_it_did_instead_of_offering_the_form(warehouse):
    client = signed_in(warehouse)
    variant = VariantFactory(sku="ABY-M-BLK", stock_available=1)
    page, data = adjust_page(client, variant)
    data.update(reason="received", quantity="4")
    client.post(page, data)
    again = client.get(page)  # Back draws the page from its address, key included
    html = again.content.decode()
    assert again.status_code == 200
    assert 'id="already-done"' in html and "+4 Received, stock 1 → 5." in html
    assert not keys_in(html)  # no form to send twice
    assert "Use this page again" in html


def test_two_pages_are_two_submissions(warehouse):
    client = signed_in(warehouse)
    variant = VariantFactory(stock_available=0)
    one, two = adjust_page(client, variant), adjust_page(client, variant)
    assert one[1][FIELD] != two[1][FIELD]
    for page, data in (one, two):
        data.update(reason="received", quantity="5")
        assert client.post(page, data).status_code == 302
    assert stock_of(variant) == 10


def test_a_refused_submission_keeps_its_key_for_the_corrected_form(warehouse):
    client = signed_in(warehouse)
    variant = VariantFactory(stock_available=2)
    page, data = adjust_page(client, variant)
    data.update(reason="damaged", quantity="5")
    refused = client.post(page, data)
    assert refused.status_code == 200 and stock_of(variant) == 2
    assert not Submission.objects.exists()
    assert keys_in(refused.content) == [data[FIELD]]  # drawn again with the same key
    data.update(quantity="1")
    assert client.post(page, data).status_code == 302
    assert stock_of(variant) == 1


@pytest.mark.parametrize(
    "key",
    [None, "", "abc", "0" * 32 + ":1xaaaa:forged", "\x00"],
    ids=["missing", "empty", "garbage", "forged", "nul"],
)
def test_a_change_without_a_usable_key_is_refused_and_rolled_back(warehouse, key):
    client = signed_in(warehouse)
    variant = VariantFactory(stock_available=3)
    page, data = adjust_page(client, variant)
    data.update(reason="received", quantity="10")
    url = page.split("?")[0]  # the address without its key
    if key is None:
        data.pop(FIELD)
    else:
        data[FIELD] = key
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="refusal"' in html and "nothing was saved" in html
    assert f'href="{url}"' in html  # the way back: the page, opened afresh
    assert "<title> Not sent | ModestWear back office</title>" in " ".join(html.split())
    assert stock_of(variant) == 3
    assert variant.history.count() == 1


def test_another_persons_key_is_refused(warehouse, staff_user, admin_user):
    client = signed_in(warehouse)
    variant = VariantFactory(stock_available=3)
    page, data = adjust_page(client, variant)
    data.update(reason="received", quantity="10", **{FIELD: issue(admin_user)})
    assert client.post(page.split("?")[0], data).status_code == 400
    assert stock_of(variant) == 3


# Every kind of door ------------------------------------------------------------------------


def test_a_bulk_action_sent_twice_runs_once(client_as):
    client = client_as("support")
    order = OrderFactory(status="pending")
    OrderItemFactory(order=order)
    url = reverse("admin:orders_order_changelist")
    [key] = keys_in(Client.get(client, url).content)
    data = {"action": "bulk_mark_paid", "_selected_action": [order.pk], FIELD: key}
    Client.post(client, url, data)
    assert order.history.count() == 2
    again = Client.post(client, url, data)
    assert order.history.count() == 2
    assert order.emails.count() == 1  # one "Payment received", not two
    assert "Already done" in said(again)[-1] and f"#{order.pk}" in said(again)[-1]


def test_an_add_form_sent_twice_adds_once(admin_user):
    client = signed_in(admin_user)
    url = reverse("admin:catalog_coveragelevel_add")
    drawn = client.get(url, follow=True)
    data = post_form(drawn.content, containing="name")
    data.update(name="Extra cover", size="3", _save="Save")
    page = drawn.redirect_chain[-1][0]
    from apps.catalog.models import CoverageLevel

    first = client.post(page, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    client.post(page, data)
    assert CoverageLevel.objects.filter(name="Extra cover").count() == 1


def test_a_change_form_sent_twice_writes_one_history_row(client_as):
    client = client_as("merchandising")
    category = CategoryFactory(name="Abayas")
    url = reverse("admin:catalog_category_change", args=[category.pk])
    data = post_form(Client.get(client, url).content, containing="name")
    data.update(name="Open abayas", _save="Save")
    assert Client.post(client, url, data).status_code == 302
    again = Client.post(client, url, data)
    assert again.status_code == 302
    assert category.history.count() == 2
    assert "Already done" in said(again)[-1] and "Open abayas" in said(again)[-1]


def test_a_script_gets_the_first_answer_again_as_json(client_as):
    client = client_as("merchandising")
    product = ProductFactory(is_featured=False)
    listing = Client.get(client, reverse("admin:catalog_product_changelist")).content.decode()
    key = listing.split('data-submission="')[1].split('"')[0]
    url = reverse("admin:catalog_product_featured", args=[product.pk])
    headers = {"HTTP_X_SUBMISSION_KEY": key, "HTTP_ACCEPT": "application/json"}
    first = Client.post(client, url, {"featured": "1"}, **headers).json()
    assert first["featured"] is True and first["next_key"] not in ("", key)
    repeat = Client.post(client, url, {"featured": "1"}, **headers).json()
    assert repeat["repeated"] is True and repeat["featured"] is True
    assert repeat["message"].startswith("Already done")
    assert product.history.count() == 2
    assert HEADER == "X-Submission-Key"


def test_a_script_without_a_key_gets_a_json_refusal(client_as):
    client = client_as("merchandising")
    product = ProductFactory(is_featured=False)
    url = reverse("admin:catalog_product_featured", args=[product.pk])
    response = Client.post(client, url, {"featured": "1"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "nothing was saved" in response.json()["error"]
    product.refresh_from_db()
    assert product.is_featured is False


def test_reading_pages_records_nothing(client_as):
    client = client_as("support")
    Client.get(client, reverse("admin:orders_order_changelist"))
    Client.post(client, reverse("admin:orders_order_changelist"), {"action": ""})
    assert not Submission.objects.exists()


# Housekeeping -------------------------------------------------------------------------------


def test_housekeeping_removes_records_older_than_a_keys_lifetime(warehouse, settings):
    from django.core.management import call_command

    settings.SUBMISSION_KEY_MAX_AGE = timedelta(days=7)
    now = timezone.now()
    old = Submission.objects.create(
        key="00000000-0000-0000-0000-000000000001",
        user=warehouse,
        path="/x/",
        created_at=now - timedelta(days=8),
    )
    kept = Submission.objects.create(
        key="00000000-0000-0000-0000-000000000002",
        user=warehouse,
        path="/x/",
        created_at=now - timedelta(days=6),
    )
    out = __import__("io").StringIO()
    call_command("clear_submissions", stdout=out)
    assert "1 form submission records older than 7 days removed." in out.getvalue()
    assert not Submission.objects.filter(pk=old.pk).exists()
    assert Submission.objects.filter(pk=kept.pk).exists()


# What an attack on the keys found (each was a way to lose or double a change) ---------------


def test_a_second_page_with_the_same_key_and_other_content_is_not_done_and_keeps_what_was_typed(
    client_as,
):
    """The same pinned address opened twice (a duplicated tab, a bookmark): the second note
    is not taken for a repeat of the first, nor silently dropped."""
    client = client_as("support")
    order = OrderFactory(status="pending")
    url = reverse("admin:orders_order_add_note", args=[order.pk])
    page, data = form_of(client, url, containing="text")
    Client.post(client, page, {**data, "text": "Deliver after 5pm"})
    other = Client.post(client, page, {**data, "text": "Refund promised"})
    html = other.content.decode()
    assert other.status_code == 409
    assert "This page was already sent at " in html and "Note added to order" in html
    assert "What you sent now is different, so it was not done" in html
    assert "Refund promised" in html  # to copy into the page opened again
    assert [note.text for note in order.notes.all()] == ["Deliver after 5pm"]


def test_a_refused_action_says_nothing_of_what_it_would_have_done(client_as):
    client = client_as("merchandising")
    product = ProductFactory(is_featured=False)
    url = reverse("admin:catalog_product_changelist")
    data = {"action": "feature", "_selected_action": [product.pk], "index": "0"}
    refused = Client.post(client, url, data)
    assert refused.status_code == 400
    assert not any("featured" in message for message in said(refused))
    product.refresh_from_db()
    assert product.is_featured is False


def test_a_change_rolled_back_gives_its_key_back(client_as, monkeypatch):
    """A list edit whose first row is saved and whose second is refused under its lock (its
    level moved between the form's check and the save): the save is rolled back, nothing was
    done, and the same page, counted again, is sent with the same key."""
    from apps.catalog.admin import stock
    from apps.catalog.services import StockConflict

    client = client_as("warehouse")
    first, second = VariantFactory(stock_available=4), VariantFactory(stock_available=5)
    real_count = stock.stock_count

    def moved_meanwhile(**kwargs):
        if kwargs["variant_id"] == second.pk:
            raise StockConflict(f"{second.sku} went from 5 to 6 while you were editing")
        return real_count(**kwargs)

    monkeypatch.setattr(stock, "stock_count", moved_meanwhile)
    url = reverse("admin:catalog_productvariant_changelist") + "?o=1"
    data = post_form(Client.get(client, url).content, containing="form-TOTAL_FORMS")
    rows = {data[f"form-{i}-id"]: i for i in range(2)}
    i, j = rows[str(first.pk)], rows[str(second.pk)]
    data.update({f"form-{i}-stock_available": "9", f"form-{j}-stock_available": "8", "_save": "1"})
    refused = Client.post(client, url, data)
    assert said(refused)[-1].startswith(f"Nothing was saved. {second.sku} went from 5 to 6")
    assert ProductVariant.objects.get(pk=first.pk).stock_available == 4
    assert not Submission.objects.exists()  # the key is free for the page counted again
    monkeypatch.setattr(stock, "stock_count", real_count)
    assert Client.post(client, url, data).status_code == 302
    assert ProductVariant.objects.get(pk=first.pk).stock_available == 9


def test_back_to_a_used_status_page_says_what_it_did(client_as):
    client = client_as("support")
    order = OrderFactory(status="pending")
    page, data = form_of(client, reverse("admin:orders_order_cancel_order", args=[order.pk]))
    Client.post(client, page, {**data, "reason": "Customer asked"})
    back = Client.get(client, page)  # the order is cancelled: the page cannot offer it again
    assert back.status_code == 200
    text = back.content.decode()
    assert 'id="already-done"' in text and f"Order #{order.pk} marked cancelled." in text


def test_a_key_in_the_form_that_is_not_its_pages_is_refused(warehouse):
    client = signed_in(warehouse)
    variant = VariantFactory(stock_available=3)
    page, data = adjust_page(client, variant)
    data.update(reason="received", quantity="10", **{FIELD: issue(warehouse)})
    response = client.post(page, data)
    assert response.status_code == 400 and "not the one of its page" in response.content.decode()
    assert stock_of(variant) == 3


def test_a_repeated_switch_says_what_the_first_did(client_as):
    client = client_as("merchandising")
    product = ProductFactory(name="Maxi Dress", is_featured=False)
    url = reverse("admin:catalog_product_featured", args=[product.pk])
    headers = {"HTTP_X_SUBMISSION_KEY": issue(client.user), "HTTP_ACCEPT": "application/json"}
    Client.post(client, url, {"featured": "1"}, **headers)
    repeat = Client.post(client, url, {"featured": "1"}, **headers).json()
    assert repeat["message"].endswith("done once: “Maxi Dress” is featured.")


def test_a_popup_sent_twice_answers_as_the_first_closing_the_popup(client_as):
    from apps.catalog.models import CoverageLevel

    client = client_as("merchandising")
    url = reverse("admin:catalog_coveragelevel_add") + "?_to_field=id&_popup=1"
    page, data = form_of(client, url, containing="name")
    data.update(name="Popup level", size="4", _save="Save")
    first = Client.post(client, page, data)
    second = Client.post(client, page, data)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content  # the page that closes the popup, picking the level
    assert "popup_response" in second.content.decode()
    assert CoverageLevel.objects.filter(name="Popup level").count() == 1


def test_ones_own_password_is_changed_once_and_only_with_a_key(staff_user):
    user = staff_user("merchandising")
    client = signed_in(user)
    url = reverse("admin:password_change")
    page, data = form_of(client, url, containing="old_password")
    data.update(
        old_password="a-long-staff-passphrase",
        new_password1="Another-long-passphrase-8",
        new_password2="Another-long-passphrase-8",
    )
    unkeyed = {k: v for k, v in data.items() if k != FIELD}
    assert client.post(page, unkeyed).status_code == 400
    user.refresh_from_db()
    assert user.check_password("a-long-staff-passphrase")
    assert client.post(page, data).status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-long-passphrase-8")
