"""A file of shipments (order number, carrier, tracking number), read whole before anything
is written: a wrong row refuses the file with its row, column and reason."""

import csv
import io
from dataclasses import dataclass

from django.conf import settings

from apps.orders.models import Order, OrderStatus
from apps.orders.services import SHIPMENT_FIELD_MAX, allowed_targets
from apps.toolkit.numbers import parse_id

MAX_ROWS = 5000
PROBLEMS_SHOWN = 20
# Header spellings people use, to the column each means.
HEADERS = {
    "order": "order",
    "order number": "order",
    "order no": "order",
    "number": "order",
    "carrier": "carrier",
    "tracking": "tracking",
    "tracking number": "tracking",
    "tracking no": "tracking",
}
TEMPLATE = "order,carrier,tracking\n1042,Royal Mail,RM123456785GB\n"


@dataclass(frozen=True)
class ShipRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    order_id: int
    carrier: str
    tracking_number: str


class ShipmentFileError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        text = " ".join(shown) + (f" …and {more} more." if more else "")
        super().__init__(f"Nothing was shipped. {text}")


def read_shipments(upload) -> list[ShipRow]:
    """The rows of an uploaded CSV, each checked against the orders as they are now."""
    raw = upload.read(settings.IMPORT_MAX_BYTES + 1)
    if len(raw) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise ShipmentFileError([f"The file is larger than {limit} MB."])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ShipmentFileError(["The file is not UTF-8 text: save it as CSV UTF-8."]) from None
    if "\x00" in text:
        raise ShipmentFileError(["The file holds NUL characters: it is not a CSV file."])
    records = _records(text)
    if not any(any(cells) for cells in records):
        raise ShipmentFileError(
            [
                "The file is empty: it needs a header row (order, carrier, tracking) and a row "
                "per parcel."
            ]
        )
    columns = _columns(records[0])
    body = [(number, cells) for number, cells in enumerate(records[1:], start=2) if any(cells)]
    if not body:
        raise ShipmentFileError(["The file has no rows under its header."])
    if len(body) > MAX_ROWS:
        raise ShipmentFileError([f"The file has {len(body)} rows; at most {MAX_ROWS} at once."])
    rows, problems = _rows(body, columns)
    problems += _check_orders(rows)
    if problems:
        raise ShipmentFileError(problems)
    return rows


def _records(text: str) -> list[list[str]]:
    # Strict: a quote left open must not swallow the rest of the file into one cell (and
    # ship its rows as a carrier's name). newline="": a line may end in CR, LF or CRLF.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    try:
        for cells in reader:
            records.append(cells)
    except csv.Error as error:
        row = len(records) + 1
        reason = (
            'a quoted cell is never closed: check its quotes (")'
            if "unexpected end of data" in str(error)
            else f"it is not valid CSV ({error})"
        )
        raise ShipmentFileError([f"Row {row}: {reason}."]) from None
    return records


def _columns(header: list[str]) -> dict[str, int]:
    columns, unknown = {}, []
    for index, name in enumerate(header):
        key = HEADERS.get(" ".join(name.replace("_", " ").lower().split()))
        if key is None:
            unknown.append(name)
        elif key in columns:
            raise ShipmentFileError(
                [
                    f"Row 1: two columns mean “{key}” (“{header[columns[key]]}” and “{name}”); "
                    "keep one."
                ]
            )
        else:
            columns[key] = index
    if "order" not in columns:
        found = ", ".join(f"“{name}”" for name in header) or "nothing"
        raise ShipmentFileError(
            [
                f"Row 1: the header needs an “order” column (found {found}); the columns are "
                "order, carrier, tracking."
            ]
        )
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)
        raise ShipmentFileError(
            [f"Row 1: unknown columns {names}; the columns are order, carrier, tracking."]
        )
    return columns


def _cell(cells, columns, key) -> str:
    index = columns.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _rows(body, columns) -> tuple[list[ShipRow], list[str]]:
    rows, problems, first_row = [], [], {}
    for number, cells in body:
        text = _cell(cells, columns, "order")
        order_id = parse_id(text.lstrip("#"))
        if order_id is None:
            problems.append(f"Row {number}, column order: “{text}” is not an order number.")
            continue
        if order_id in first_row:
            problems.append(
                f"Row {number}, column order: order #{order_id} is already on row "
                f"{first_row[order_id]}."
            )
            continue
        first_row[order_id] = number
        values = {
            key: " ".join(_cell(cells, columns, key).split()) for key in ("carrier", "tracking")
        }
        for key, value in values.items():
            if len(value) > SHIPMENT_FIELD_MAX:
                problems.append(
                    f"Row {number}, column {key}: at most {SHIPMENT_FIELD_MAX} characters."
                )
        rows.append(ShipRow(number, order_id, values["carrier"], values["tracking"]))
    return rows, problems


def _check_orders(rows: list[ShipRow]) -> list[str]:
    statuses = dict(
        Order.objects.filter(pk__in=[row.order_id for row in rows]).values_list("pk", "status")
    )
    problems = []
    for row in rows:
        status = statuses.get(row.order_id)
        if status is None:
            problems.append(f"Row {row.row}, column order: there is no order #{row.order_id}.")
        elif OrderStatus.SHIPPED not in allowed_targets(status):
            label = OrderStatus(status).label.lower()
            problems.append(
                f"Row {row.row}, column order: order #{row.order_id} is {label}; only paid "
                "orders can be shipped."
            )
    return problems
