from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import ProductVariant
from apps.orders.models import Order, Shipment
from apps.orders.services import Line, order_change_status, order_place
from tests.actors import system
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    StaffFactory,
    UserFactory,
    VariantFactory,
)
from tests.pages import form_of, post_form

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:orders_order_changelist")


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {order.pk for order in response.context["cl"].result_list}


def test_list_columns_and_search(client_as):
    client = client_as("support")
    amina = UserFactory(email="amina@example.com", first_name="Amina", last_name="Rahman")
    order = OrderFactory(user=amina, total_price=Decimal("120.00"), status="paid")
    OrderItemFactory(order=order, variant=VariantFactory(sku="ABY-M-BLK"))
    OrderItemFactory(order=order)
    other = OrderFactory()
    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert f"#{order.pk}" in html and "Amina Rahman" in html and "amina@example.com" in html
    row = next(o for o in response.context["cl"].result_list if o.pk == order.pk)
    assert row.item_total == 2
    assert listed(client, q=str(order.pk)) == {order.pk}
    assert listed(client, q=f"#{order.pk}") == {order.pk}
    assert listed(client, q="AMINA@example.com") == {order.pk}
    assert listed(client, q="aby-m-blk") == {order.pk}
    assert listed(client, status__exact="pending") == {other.pk}
    assert listed(client, placed="today") == {order.pk, other.pk}


def test_detail_shows_lines_with_price_then_and_now_and_a_timeline(client_as):
    client = client_as("support")
    variant = VariantFactory(
        sku="TNC-L-OLV", color="Olive", size=3, product=ProductFactory(name="Linen Tunic")
    )
    order = order_place(
        user=UserFactory(), address="9 Kirkgate, Leeds", lines=[Line(variant.pk, 2)], actor=system()
    )
    variant.product.base_price = Decimal("99.00")
    variant.product.save()
    html = client.get(change_url(order)).content.decode()
    for text in [
        "TNC-L-OLV",
        "Linen Tunic",
        "Olive",
        ">L<",
        "79.00",
        "158.00",
        "99.00",
        "9 Kirkgate, Leeds",
        "Placed from the cart",
    ]:
        assert text in html, text
    assert 'name="status"' not in html  # status is never an editable field


def test_detail_offers_only_the_allowed_transitions(client_as):
    client = client_as("support")
    order = OrderFactory(status="paid")
    html = client.get(change_url(order)).content.decode()
    assert reverse("admin:orders_order_mark_shipped", args=[order.pk]) in html
    assert reverse("admin:orders_order_cancel_order", args=[order.pk]) in html
    assert reverse("admin:orders_order_mark_paid", args=[order.pk]) not in html
    assert reverse("admin:orders_order_mark_delivered", args=[order.pk]) not in html


def test_status_buttons_move_the_order_and_refuse_with_a_reason(client_as):
    client = client_as("support")
    order = OrderFactory(status="pending")
    page, form = form_of(client, reverse("admin:orders_order_mark_paid", args=[order.pk]))
    response = client.post(page, {**form, "note": "PAY-1"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.history.first().history_user == client.user
    # Delivering a paid order is refused: the button is not offered, and a forged POST fails.
    client.post(reverse("admin:orders_order_mark_delivered", args=[order.pk]), form)
    order.refresh_from_db()
    assert order.status == "paid"


def test_cancel_button_asks_for_a_reason_and_restocks(client_as):
    client = client_as("support")
    variant = VariantFactory(stock_available=5)
    order = order_place(
        user=UserFactory(), address="x", lines=[Line(variant.pk, 2)], actor=system()
    )
    url, form = form_of(client, reverse("admin:orders_order_cancel_order", args=[order.pk]))
    no_reason = client.post(url, {**form, "reason": ""})
    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    client.post(url, {**form, "reason": "Out of the delivery area"})
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert ProductVariant.objects.get(pk=variant.pk).stock_available == 5


def test_bulk_action_reports_per_order(client_as):
    client = client_as("support")
    paid = OrderFactory.create_batch(2, status="paid")
    pending = OrderFactory(status="pending")
    ids = [o.pk for o in [*paid, pending]]
    first = client.post(CHANGELIST, {"action": "bulk_mark_shipped", "_selected_action": ids})
    assert "without tracking numbers" in first.content.decode()  # asked first, nothing done
    assert Order.objects.filter(status="shipped").count() == 0
    response = client.post(
        CHANGELIST,
        {**post_form(first.content), "confirm": "1", "without_tracking": "on", "carrier": "DPD"},
        follow=True,
    )
    text = response.content.decode()
    assert {str(s) for s in Shipment.objects.filter(order__in=paid)} == {"DPD"}
    assert f"2 marked shipped: #{paid[0].pk}, #{paid[1].pk}." in text
    assert f"1 refused. Order #{pending.pk} is pending, so it cannot be marked shipped" in text
    assert sorted(Order.objects.values_list("status", flat=True)) == [
        "pending",
        "shipped",
        "shipped",
    ]


def test_bulk_cancel_asks_for_a_reason_first(client_as):
    client = client_as("support")
    orders = OrderFactory.create_batch(2)
    ids = [o.pk for o in orders]
    page = client.post(CHANGELIST, {"action": "bulk_cancel", "_selected_action": ids})
    assert page.status_code == 200 and "Cancel 2 orders" in page.content.decode()
    assert not Order.objects.filter(status="cancelled").exists()
    client.post(CHANGELIST, {**post_form(page.content), "reason": "Fraud check", "confirm": "1"})
    assert Order.objects.filter(status="cancelled").count() == 2
    assert orders[0].history.first().history_change_reason == "Fraud check"


def checked(client, url, data):
    """Post the phone order form, then post it again as the check left it (placing)."""
    first = client.post(url, data)
    form = first.context["form"]
    return first, client.post(
        url, {**data, "address": form["address"].value(), "checked": form["checked"].value()}
    )


def test_phone_order_is_checked_then_placed_through_the_placement_service(client_as):
    client = client_as("support")
    customer = UserFactory(email="hafsa@example.com", first_name="Hafsa", last_name="Noor")
    VariantFactory(sku="HJB-JRS-SND", stock_available=4, product=ProductFactory(base_price=12))
    url = reverse("admin:orders_order_phone_order")
    assert client.get(reverse("admin:orders_order_add")).url == url
    assert "HJB-JRS-SND 2" in client.get(url).content.decode()  # the example is a real SKU
    unknown = client.post(url, {"customer": customer.email, "address": "x", "lines": "NOPE 1"})
    assert "Line 1: unknown SKU NOPE." in unknown.content.decode()
    data = {"customer": "HAFSA@example.com", "address": "2 Oak Rd", "lines": "hjb-jrs-snd 3\n"}
    check = client.post(url, data)
    assert not Order.objects.exists()  # the check places nothing
    summary = check.content.decode()
    assert "Hafsa Noor" in summary and "£36.00" in summary and "Place the order" in summary
    form = check.context["form"]
    placed = client.post(url, {**data, "checked": form["checked"].value()})
    order = Order.objects.get()
    assert placed.url == change_url(order)
    assert (order.user, order.total_price) == (customer, Decimal("36.00"))
    assert order.history.get().history_change_reason == "Phone order"


def test_a_phone_order_changed_after_its_check_is_checked_again(client_as):
    client = client_as("support")
    UserFactory(email="hafsa@example.com")
    VariantFactory(sku="HJB-1", stock_available=9, product=ProductFactory(base_price=10))
    url = reverse("admin:orders_order_phone_order")
    data = {"customer": "hafsa@example.com", "address": "2 Oak Rd", "lines": "HJB-1 1"}
    check = client.post(url, data).context["form"]["checked"].value()
    again = client.post(url, {**data, "lines": "HJB-1 5", "checked": check})
    assert not Order.objects.exists()
    assert "£50.00" in again.content.decode()  # the new check, with the new total


def test_a_phone_order_finds_the_customer_by_name_and_uses_their_last_address(client_as):
    client = client_as("support")
    customer = UserFactory(email="maryam@example.com", first_name="Maryam", last_name="Aziz")
    UserFactory(email="mariam@example.com", first_name="Mariam", last_name="Aziz")
    OrderFactory(user=customer, address="9 Elm Close\nYork")
    VariantFactory(sku="HJB-2", stock_available=9, product=ProductFactory(base_price=10))
    url = reverse("admin:orders_order_phone_order")
    both = client.post(url, {"customer": "aziz", "lines": "HJB-2 1"}).content.decode()
    assert "Several customers match" in both and "maryam@example.com" in both
    check, placed = checked(client, url, {"customer": "maryam aziz", "lines": "HJB-2 1"})
    assert "9 Elm Close<br>York" in check.content.decode()
    order = Order.objects.exclude(address="").latest("pk")
    assert (order.user, order.address) == (customer, "9 Elm Close\nYork")


def test_the_phone_order_customer_box_offers_matching_customers_as_one_types(client_as):
    client = client_as("support")
    UserFactory(email="maryam@example.com", first_name="Maryam", last_name="Aziz")
    UserFactory(email="mariam@example.com", first_name="Mariam", last_name="Aziz")
    UserFactory(email="gone@example.com", first_name="Maryam", last_name="Old", is_active=False)
    StaffFactory(email="maryam.staff@modestwear.example", first_name="Maryam")
    lookup = reverse("admin:orders_order_customer_lookup")

    def offered(text):
        response = client.get(lookup, {"q": text})
        assert response.status_code == 200
        return [(c["value"], c["label"]) for c in response.json()["customers"]]

    assert offered("aziz") == [
        ("mariam@example.com", "Mariam Aziz"),
        ("maryam@example.com", "Maryam Aziz"),
    ]
    assert offered("MARYAM") == [("maryam@example.com", "Maryam Aziz")]  # no staff, no inactive
    assert offered("mari") == [("mariam@example.com", "Mariam Aziz")]
    assert offered("maryam@") == [("maryam@example.com", "Maryam Aziz")]
    assert offered("mariam@ex") == offered("mariam") == [("mariam@example.com", "Mariam Aziz")]
    assert offered("maryam.staff") == []  # the start of a staff account's address
    UserFactory(email="a.rahman@example.com", first_name="Aisha", last_name="Rahman")
    assert offered("a.rahman") == [("a.rahman@example.com", "Aisha Rahman")]  # no "@" yet
    assert offered("") == [] and offered("\t") == []
    page = client.get(reverse("admin:orders_order_phone_order")).content.decode()
    assert f'data-lookup="{lookup}"' in page and 'list="customer-matches"' in page
    assert client_as("warehouse").get(lookup, {"q": "aziz"}).status_code == 403


def test_a_phone_order_beyond_the_stock_is_refused_with_the_reason(client_as):
    client = client_as("support")
    UserFactory(email="hafsa@example.com")
    VariantFactory(sku="HJB-3", stock_available=4, product=ProductFactory(base_price=12))
    url = reverse("admin:orders_order_phone_order")
    data = {"customer": "hafsa@example.com", "address": "x", "lines": "HJB-3 9"}
    check, again = checked(client, url, data)
    page = check.content.decode()
    # The check says so and offers no "Place the order" until the line is changed.
    assert "Change these lines: HJB-3: 9 wanted, only 4 in stock." in page
    assert check.context["form"]["checked"].value() == ""
    assert "Place the order" not in page and "Check the order" in page
    assert "Change these lines" in again.content.decode()  # posting it again changes nothing
    assert not Order.objects.exists()


def test_stock_gone_between_the_check_and_placing_is_refused_by_the_placement(client_as):
    client = client_as("support")
    UserFactory(email="hafsa@example.com")
    variant = VariantFactory(sku="HJB-4", stock_available=4, product=ProductFactory(base_price=12))
    url = reverse("admin:orders_order_phone_order")
    data = {"customer": "hafsa@example.com", "address": "x", "lines": "HJB-4 3"}
    check = client.post(url, data)
    assert "Place the order" in check.content.decode()
    ProductVariant.objects.filter(pk=variant.pk).update(stock_available=1)  # sold meanwhile
    form = check.context["form"]
    placed = client.post(url, {**data, "checked": form["checked"].value()})
    assert "HJB-4: 3 requested, only 1 available" in placed.content.decode()
    assert not Order.objects.exists()


def test_a_phone_order_address_is_stored_with_plain_line_breaks(client_as):
    client = client_as("support")
    UserFactory(email="hafsa@example.com")
    VariantFactory(sku="HJB-5", stock_available=4, product=ProductFactory(base_price=12))
    url = reverse("admin:orders_order_phone_order")
    data = {
        "customer": "hafsa@example.com",
        "address": "12 Cedar Road\r\nLeicester",
        "lines": "HJB-5 1",
    }
    checked(client, url, data)
    assert Order.objects.get().address == "12 Cedar Road\nLeicester"


@pytest.mark.parametrize("role", ["merchandising", "warehouse"])
def test_other_roles_cannot_touch_orders(client_as, role):
    client = client_as(role)
    order = OrderFactory(status="pending")
    assert client.get(CHANGELIST).status_code == 403
    client.post(reverse("admin:orders_order_mark_paid", args=[order.pk]), {})
    assert Order.objects.get(pk=order.pk).status == "pending"


def test_orders_cannot_be_deleted(client_as):
    order = OrderFactory()
    client = client_as("superuser")
    assert client.get(reverse("admin:orders_order_delete", args=[order.pk])).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_order_list_queries_stay_flat(client_as, rows):
    client = client_as("support")
    for _ in range(rows):
        OrderItemFactory(order=OrderFactory())
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as queries:
        client.get(CHANGELIST)
    assert len(queries) <= 7


@pytest.mark.parametrize("lines", [1, 20])
def test_order_page_queries_stay_flat(client_as, lines):
    client = client_as("support")
    order = OrderFactory()
    for _ in range(lines):
        OrderItemFactory(order=order)
    client.get(change_url(order))
    with CaptureQueriesContext(connection) as queries:
        client.get(change_url(order))
    # The timeline's five sources (history, shipment, stock moves and the lines they
    # concern, notes, e-mails) are one query each, however long the order's life.
    assert len(queries) <= 15


def test_the_order_page_has_no_save_and_refuses_to_be_saved(client_as):
    order = OrderFactory(status="paid", address="1 Old Road")
    client = client_as("support")
    url = reverse("admin:orders_order_change", args=[order.pk])
    html = client.get(url).content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    # A stale page posted back (another agent moved the order meanwhile) changes nothing.
    refused = client.post(url, {"status": "pending", "address": "2 New Road", "_save": "1"})
    assert refused.status_code == 403
    assert "An order is never saved from its page" in refused.content.decode()
    order.refresh_from_db()
    assert (order.status, order.address) == ("paid", "1 Old Road")


def test_a_stale_status_button_opened_by_get_writes_nothing(client_as):
    order = OrderFactory(status="delivered")
    client = client_as("support")
    response = client.get(reverse("admin:orders_order_mark_paid", args=[order.pk]), follow=True)
    assert f"Order #{order.pk} is delivered, so it cannot be marked paid" in (
        response.content.decode()
    )
    order.refresh_from_db()
    assert order.status == "delivered" and order.history.count() == 1


# The delivery address, changed from the order page until the order ships ----------------------


def address_url(order):
    return reverse("admin:orders_order_change_address", args=[order.pk])


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("pending", True),
        ("paid", True),
        ("shipped", False),
        ("delivered", False),
        ("cancelled", False),
    ],
)
def test_change_address_is_offered_until_the_order_ships(client_as, status, offered):
    order = OrderFactory(status=status)
    html = client_as("support").get(change_url(order)).content.decode()
    assert (address_url(order) in html) is offered


def test_an_agent_changes_the_address_from_the_order_page(client_as):
    order = OrderFactory(status="paid", address="1 Old Road\nLeeds")
    client = client_as("support")
    form = client.get(address_url(order)).content.decode()
    assert 'name="address__seen" value="1 Old Road\nLeeds"' in form
    response = client.post(
        address_url(order),
        {"address": "2 New Street\r\nYork", "address__seen": "1 Old Road\r\nLeeds"},
        follow=True,
    )
    assert f"Order #{order.pk} now goes to the new address." in response.content.decode()
    order.refresh_from_db()
    assert order.address == "2 New Street\nYork"
    assert order.history.first().history_user == client.user


def test_a_stale_address_page_is_refused_and_shows_the_new_address(client_as):
    from apps.orders.services import order_change_address
    from tests.actors import staff

    order = OrderFactory(status="pending", address="1 Old Road")
    client = client_as("support")
    client.get(address_url(order))
    # A colleague on the phone with the customer changes it first.
    colleague = staff("Support", "phone@test.example")
    order_change_address(order_id=order.pk, address="2 New St", seen="1 Old Road", actor=colleague)
    response = client.post(
        address_url(order), {"address": "9 Typo Lane", "address__seen": "1 Old Road"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "was changed while you were editing (Delivery address changed by phone@test.example" in html
    )
    assert 'name="address__seen" value="2 New St"' in html  # the page now carries the new one
    assert Order.objects.get(pk=order.pk).address == "2 New St"


@pytest.mark.parametrize("seen", [None, ""])
def test_an_address_post_without_what_the_page_showed_is_refused(client_as, seen):
    order = OrderFactory(status="pending", address="1 Old Road")
    data = {"address": "2 New St"} | ({} if seen is None else {"address__seen": seen})
    response = client_as("support").post(address_url(order), data)
    assert "This page did not say which value it showed" in response.content.decode()
    assert Order.objects.get(pk=order.pk).address == "1 Old Road"


def test_a_shipped_orders_address_page_says_why_and_writes_nothing(client_as):
    order = OrderFactory(status="shipped", address="1 Old Road")
    client = client_as("support")
    for method in (client.get, client.post):
        response = method(
            address_url(order), {"address": "2", "address__seen": "1 Old Road"}, follow=True
        )
        assert f"Order #{order.pk} is shipped, so its delivery address can no longer change" in (
            response.content.decode()
        )
    assert Order.objects.get(pk=order.pk).address == "1 Old Road"


def test_an_address_with_a_nul_byte_is_a_form_error(client_as):
    order = OrderFactory(status="pending", address="1 Old Road")
    response = client_as("support").post(
        address_url(order), {"address": "2 New\x00 St", "address__seen": "1 Old Road"}
    )
    assert response.status_code in (200, 400)
    assert Order.objects.get(pk=order.pk).address == "1 Old Road"


def test_posting_the_same_address_says_nothing_changed(client_as):
    order = OrderFactory(status="pending", address="1 Old Road\nLeeds")
    response = client_as("support").post(
        address_url(order),
        {"address": " 1 Old Road \r\nLeeds\r\n", "address__seen": "1 Old Road\r\nLeeds"},
        follow=True,
    )
    html = response.content.decode()
    assert "The order already goes to that address: nothing changed." in html
    assert "now goes to the new address" not in html
    assert order.history.count() == 1


def test_an_address_of_1000_characters_with_line_breaks_fits(client_as):
    order = OrderFactory(status="pending", address="1 Old Road")
    address = "\r\n".join(["x" * 99] * 10)  # 990 letters and 9 breaks: 999 once stored
    client_as("support").post(
        address_url(order), {"address": address, "address__seen": "1 Old Road"}
    )
    assert Order.objects.get(pk=order.pk).address == address.replace("\r\n", "\n")


def test_an_unfiltered_list_gives_its_count_and_a_filtered_one_offers_show_all(client_as):
    client = client_as("support")
    OrderFactory.create_batch(2, status="paid")
    OrderFactory(status="pending")
    whole = client.get(CHANGELIST).content.decode()
    assert "Show all" not in whole
    filtered = client.get(CHANGELIST + "?status__exact=paid").content.decode()
    assert "2 results" in filtered and "Show all" in filtered
    searched = client.get(CHANGELIST + "?q=nobody@example.com").content.decode()
    assert "Show all" in searched


def test_orders_are_found_by_the_customers_name(client_as):
    from tests.factories import UserFactory

    client = client_as("support")
    sara = UserFactory(first_name="Sara", last_name="Siddiqui")
    sarah = UserFactory(first_name="Sarah", last_name="Khan")
    hers, hers_too = OrderFactory(user=sara), OrderFactory(user=sara)
    other = OrderFactory(user=sarah)
    OrderFactory(user=UserFactory(first_name="Amina", last_name="Ali"))

    def found(term):
        response = client.get(CHANGELIST, {"q": term})
        return {order.pk for order in response.context["cl"].result_list}

    assert found("Sara Siddiqui") == {hers.pk, hers_too.pk}
    assert found("siddiq") == {hers.pk, hers_too.pk}
    assert found("sara") == {hers.pk, hers_too.pk, other.pk}
    assert found("Sara Ali") == set()  # every word must match
    assert found("\u200b\u200b") == set()  # nothing but an invisible character: no match


# Confirmations checked again: the state the page showed --------------------------------------


def test_a_cancel_page_opened_while_pending_is_refused_once_a_colleague_marked_it_paid(
    client_as, django_capture_on_commit_callbacks
):
    from apps.orders.models import OutboxEmail
    from tests.actors import staff

    client = client_as("support")
    colleague = staff("Support", "colleague@test.example")
    order = OrderFactory(status="pending")
    OrderItemFactory(order=order)
    url, form = form_of(client, reverse("admin:orders_order_cancel_order", args=[order.pk]))
    order_change_status(order_id=order.pk, to="paid", actor=colleague, reason="PAY-7")

    refused = client.post(url, {**form, "reason": "Customer asked"})

    assert refused.status_code == 200  # the page again, over the order as it is now
    text = " ".join(refused.content.decode().split())
    assert "Nothing was done: while this page was open, order" in text
    assert f"#{order.pk} was marked paid by colleague@test.example (Support) at " in text
    assert "The order is paid now." in text
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert [e.kind for e in OutboxEmail.objects.filter(order=order)] == ["paid"]
    # Confirmed again on the page drawn with the new state, it is what the agent wants.
    again = post_form(refused.content)
    assert again["seen_state"] != form["seen_state"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**again, "reason": "Customer asked"}).status_code == 302
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_a_stale_page_whose_action_is_no_longer_possible_goes_back_to_the_order(client_as):
    client = client_as("support")
    order = OrderFactory(status="pending")
    OrderItemFactory(order=order)
    url, form = form_of(client, reverse("admin:orders_order_mark_paid", args=[order.pk]))
    order_change_status(order_id=order.pk, to="cancelled", reason="Fraud", actor=system())
    response = client.post(url, form, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:orders_order_change", args=[order.pk])
    assert "was marked cancelled by" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "cancelled"


@pytest.mark.parametrize(
    "seen", ["", "garbage", "\x00", "f" * 32 + ".99999999999999999999", "ZZ" * 16 + ".1"]
)
def test_a_confirmation_that_does_not_say_what_it_showed_does_nothing(client_as, seen):
    client = client_as("support")
    order = OrderFactory(status="pending")
    url, form = form_of(client, reverse("admin:orders_order_mark_paid", args=[order.pk]))
    response = client.post(url, {**form, "seen_state": seen})
    assert response.status_code == 200
    assert "did not say what it showed" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "pending"


def test_a_bulk_confirmation_is_refused_when_one_of_its_orders_changed(client_as):
    from tests.actors import staff

    client = client_as("support")
    orders = OrderFactory.create_batch(2, status="pending")
    ids = [o.pk for o in orders]
    asked = client.post(CHANGELIST, {"action": "bulk_cancel", "_selected_action": ids})
    assert "Pending" in asked.content.decode()  # the page lists each order's status now
    order_change_status(
        order_id=orders[1].pk, to="paid", actor=staff("Support", "colleague@test.example")
    )
    refused = client.post(
        CHANGELIST, {**post_form(asked.content), "reason": "Fraud check", "confirm": "1"}
    )
    text = " ".join(refused.content.decode().split())
    assert refused.status_code == 200
    assert f"order #{orders[1].pk} was marked paid by colleague@test.example" in text
    assert not Order.objects.filter(status="cancelled").exists()
    again = post_form(refused.content)
    client.post(CHANGELIST, {**again, "reason": "Fraud check", "confirm": "1"})
    assert Order.objects.filter(pk__in=ids, status="cancelled").count() == 2


def test_an_order_that_left_the_filtered_selection_is_named(client_as):
    from tests.actors import staff

    client = client_as("support")
    orders = OrderFactory.create_batch(2, status="pending")
    url = CHANGELIST + "?status__exact=pending"
    chosen = {"action": "bulk_cancel", "select_across": "1", "index": "0"}
    asked = client.post(url, {**chosen, "_selected_action": [orders[0].pk]})
    order_change_status(
        order_id=orders[1].pk, to="paid", actor=staff("Support", "colleague@test.example")
    )
    refused = client.post(url, {**post_form(asked.content), "reason": "Fraud", "confirm": "1"})
    text = " ".join(refused.content.decode().split())
    assert f"order #{orders[1].pk} was marked paid by colleague@test.example" in text
    assert not Order.objects.filter(status="cancelled").exists()
