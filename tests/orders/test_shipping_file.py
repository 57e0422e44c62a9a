"""Shipping from a file: the whole file is checked before anything is written; a wrong row
refuses it with its row, column and reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.orders.models import Order, OutboxEmail, Shipment
from apps.orders.services import OrderError, order_ship_many
from apps.orders.shipping import ShipmentFileError, ShipRow, read_shipments
from tests.actors import staff
from tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:orders_order_ship_from_file")


def upload(text, name="shipments.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, "text/csv")


def paid_orders(count):
    orders = OrderFactory.create_batch(count, status="paid")
    for order in orders:
        OrderItemFactory(order=order)
    return orders


def test_a_good_file_ships_every_order_with_its_tracking_and_emails_each_customer():
    a, b = paid_orders(2)
    text = f"Order number,Carrier,Tracking number\n#{a.pk},Royal Mail,RM1\n{b.pk}, DPD ,  D 2 \n"
    rows = read_shipments(upload(text))
    assert rows == [ShipRow(2, a.pk, "Royal Mail", "RM1"), ShipRow(3, b.pk, "DPD", "D 2")]
    order_ship_many(shipments=rows, actor=staff("Support"))
    assert set(Order.objects.values_list("status", flat=True)) == {"shipped"}
    assert {(s.order_id, str(s)) for s in Shipment.objects.all()} == {
        (a.pk, "Royal Mail RM1"),
        (b.pk, "DPD D 2"),
    }
    assert OutboxEmail.objects.filter(kind="shipped").count() == 2


@pytest.mark.parametrize(
    ("make_text", "message"),
    [
        (
            lambda a, b: f"order,carrier,tracking\n{a},DHL,1\n١٢,DHL,2\n",
            "Row 3, column order: “١٢” is not an order number.",
        ),
        (
            lambda a, b: f"order,carrier,tracking\n{a},DHL,1\n99999999999,DHL,2\n",
            "Row 3, column order: “99999999999” is not an order number.",
        ),
        (
            lambda a, b: f"order,carrier,tracking\n{a},DHL,1\n{a},DHL,2\n",
            "Row 3, column order: order #{a} is already on row 2.",
        ),
        (
            lambda a, b: f"order,carrier,tracking\n{a},DHL,1\n{b},DHL,{'9' * 101}\n",
            "Row 3, column tracking: at most 100 characters.",
        ),
        (
            lambda a, b: f"order,carrier,tracking\n{a},DHL,1\n2147483000,DHL,2\n",
            "Row 3, column order: there is no order #2147483000.",
        ),
        (
            lambda a, b: f"order,carrier,tracking\n{a},DHL,1\n{b},DHL,2\n",
            "Row 3, column order: order #{b} is pending; only paid orders can be shipped.",
        ),
        (lambda a, b: "carrier,tracking\nDHL,1\n", "Row 1: the header needs an “order” column"),
        (lambda a, b: f"order,carrier,weight\n{a},DHL,2kg\n", "Row 1: unknown columns “weight”"),
        (lambda a, b: "order,carrier,tracking\n", "The file has no rows under its header."),
        (lambda a, b: "\n\n", "The file is empty"),
        (lambda a, b: f"order,carrier\n{a},DHL\x00\n", "NUL characters"),
        (
            lambda a, b: f'order,carrier,tracking\n{a},"DPD,T1\n{b},DPD,T2\n',
            "Row 2: a quoted cell is never closed",
        ),
        (
            lambda a, b: f"order,Order Number,tracking\n{a},{a},T1\n",
            "Row 1: two columns mean “order” (“order” and “Order Number”)",
        ),
        (lambda a, b: "order,carrier\n1,Caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_wrong_row_refuses_the_whole_file_with_row_column_and_reason(make_text, message):
    (paid,) = paid_orders(1)
    pending = OrderFactory(status="pending")
    text = make_text(paid.pk, pending.pk)
    with pytest.raises(ShipmentFileError) as refused:
        read_shipments(upload(text))
    assert message.format(a=paid.pk, b=pending.pk) in str(refused.value)
    assert str(refused.value).startswith("Nothing was shipped.")


def test_lines_may_end_in_cr_lf_or_crlf_and_cells_may_hold_quoted_commas():
    a, b, c = paid_orders(3)
    text = f'order,carrier,tracking\r{a.pk},"Royal Mail, tracked",1\n{b.pk},DPD,2\r\n{c.pk},DHL,3'
    rows = read_shipments(upload(text))
    assert [(r.order_id, r.carrier) for r in rows] == [
        (a.pk, "Royal Mail, tracked"),
        (b.pk, "DPD"),
        (c.pk, "DHL"),
    ]


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(ShipmentFileError, match="larger than"):
        read_shipments(upload("order,carrier,tracking\n" + "1,DHL,2\n" * 500))


def test_an_order_that_moved_after_the_check_undoes_the_whole_file():
    a, b = paid_orders(2)
    rows = read_shipments(upload(f"order,carrier,tracking\n{a.pk},DHL,1\n{b.pk},DHL,2\n"))
    # Meanwhile a colleague cancels the second order.
    from apps.orders.services import order_cancel

    order_cancel(order_id=b.pk, reason="customer phoned", actor=staff("Support"))
    with pytest.raises(OrderError, match=f"Nothing was shipped. Row 3: Order #{b.pk} is cancelled"):
        order_ship_many(shipments=rows, actor=staff("Support"))
    assert Order.objects.get(pk=a.pk).status == "paid"
    assert not Shipment.objects.exists()
    assert not OutboxEmail.objects.filter(kind="shipped").exists()


def test_the_admin_page_refuses_a_wrong_file_with_the_row_and_writes_nothing(client_as):
    client = client_as("support")
    a, b = paid_orders(2)
    response = client.post(
        URL,
        {"file": upload(f"order,carrier,tracking\n{a.pk},DHL,1\n{b.pk}x,DHL,2\n"), "confirm": "1"},
    )
    assert response.status_code == 200
    assert f"Row 3, column order: “{b.pk}x” is not an order number." in response.content.decode()
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert not Shipment.objects.exists()


def test_the_admin_page_ships_a_good_file_and_offers_a_template(client_as):
    client = client_as("support")
    a, b = paid_orders(2)
    template = client.get(URL + "?template=csv")
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode().splitlines()[0] == "order,carrier,tracking"
    response = client.post(
        URL,
        {"file": upload(f"order,carrier,tracking\n{a.pk},DHL,1\n{b.pk},DHL,2\n"), "confirm": "1"},
        follow=True,
    )
    assert f"2 orders marked shipped, their customers e-mailed: #{a.pk}, #{b.pk}." in (
        response.content.decode()
    )
    assert Shipment.objects.count() == 2
