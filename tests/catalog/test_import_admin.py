"""The import flow in the admin: upload, preview, confirm; and the exports."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.catalog.models import Product, ProductVariant
from tests.actors import system
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.pages import post_form

pytestmark = pytest.mark.django_db
STOCK_IMPORT = reverse("admin:catalog_productvariant_import")
STOCK_CONFIRM = reverse("admin:catalog_productvariant_process_import")
PRODUCT_IMPORT = reverse("admin:catalog_product_import")
PRODUCT_CONFIRM = reverse("admin:catalog_product_process_import")


def upload(client, url, text, *, resource=0, fmt=0, name="stock.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)
    return client.post(url, {"resource": resource, "format": fmt, "import_file": file})


def resources_offered(client, url):
    form = client.get(url).context["form"]
    return [label for _, label in form.fields["resource"].choices]


@pytest.fixture
def variants():
    product = ProductFactory(slug="maxi-dress")
    VariantFactory(product=product, sku="MXD-S", stock_available=5)
    VariantFactory(product=product, sku="MXD-M", stock_available=2)
    VariantFactory(product=product, sku="MXD-L", stock_available=7)


def test_upload_preview_then_confirm(client_as, variants):
    client = client_as("warehouse")
    text = "sku,stock\nMXD-S,9\nMXD-M,2\n"
    preview = upload(client, STOCK_IMPORT, text)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.totals["update"], result.totals["skip"]) == (1, 1)
    html = preview.content.decode()
    assert "5</span> → <strong>9</strong>" in html  # old → new, not "59"
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5  # nothing yet
    confirm = preview.context["confirm_form"]
    done = client.post(STOCK_CONFIRM, confirm.initial)
    assert done.status_code == 302
    variant = ProductVariant.objects.get(sku="MXD-S")
    assert variant.stock_available == 9
    assert variant.history.first().history_user == client.user
    assert variant.history.first().history_change_reason.startswith("Import: Import ")


def test_the_stock_preview_shows_each_change_and_the_delta_and_reason_columns(client_as, variants):
    import re

    client = client_as("warehouse")
    text = "sku,stock,delta,reason\nMXD-S,70,,recount\nMXD-M,,25,delivery DN-9\n"
    html = upload(client, STOCK_IMPORT, text).content.decode()
    rows = [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.split("<tbody>")[-1], re.S)
    ]
    stock_row = next(row for row in rows if any("MXD-S" in cell for cell in row))
    delta_row = next(row for row in rows if any("MXD-M" in cell for cell in row))
    assert any("5</span> → <strong>70</strong>" in cell for cell in stock_row), stock_row
    assert "recount" in stock_row
    assert "25" in delta_row and "delivery DN-9" in delta_row, delta_row


def test_the_preview_headers_read_as_the_files_columns(client_as):
    import re

    ProductFactory(slug="maxi-dress", name="Maxi dress")
    client = client_as("merchandising")
    category = Product.objects.get(slug="maxi-dress").category.slug
    text = f"slug,name,category,base_price,coverage_level\nmaxi-dress,Maxi dress,{category},80,\n"
    html = upload(client, PRODUCT_IMPORT, text).content.decode()
    thead = html.split('<table class="import-preview', 1)[1].split("</thead>", 1)[0]
    headers = [" ".join(h.split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)]
    assert "coverage_level" in headers and "base_price" in headers
    # unfold's headers capitalise ("Coverage_level"); the page turns that off for them.
    assert ".import-preview th, .import-preview-table th { text-transform: none; }" in html
    assert "unfold capitalises" not in html  # a template comment, never on the page
    assert "unfold capitalises" not in client.get(PRODUCT_IMPORT).content.decode()


def test_an_invalid_rows_cells_show_what_the_file_held(client_as):
    ProductFactory(slug="maxi-dress", name="Maxi dress")
    client = client_as("merchandising")
    category = Product.objects.get(slug="maxi-dress").category.slug
    text = (
        "slug,name,category,coverage_level,base_price,description,is_featured\n"
        f"bad-one,Bad One,{category},,12.5.5,some text,maybe\n"
    )
    html = upload(client, PRODUCT_IMPORT, text).content.decode()
    table = html.split('<table class="import-preview', 1)[1].split("</table>", 1)[0]
    assert "12.5.5" in table and "maybe" in table and "---" not in table.replace("----", "")


def test_an_invalid_row_blocks_the_import_and_is_listed(client_as, variants):
    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\nMXD-X,4\nMXD-M,-2\n")
    html = preview.content.decode()
    assert "unknown SKU “MXD-X”" in html
    assert "would make the stock of MXD-M -2" in html
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("sku,stock\nMXD-S,9\n".encode("utf-16"), "not UTF-8"),
        (b"\x00\x01\x02binary", "binary"),
        ("", "The submitted file is empty."),
        ("product,price\nMXD-S,9\n", "missing column(s): sku; unknown column(s): product, price"),
    ],
)
def test_malformed_files_get_a_message_not_an_error_page(client_as, variants, raw, message):
    response = upload(client_as("warehouse"), STOCK_IMPORT, raw)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5


def test_a_file_over_the_size_limit_is_refused(client_as, variants, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(client_as("warehouse"), STOCK_IMPORT, "sku,stock\n" + "MXD-S,9\n" * 40)
    assert "the limit is" in response.content.decode()


def test_each_role_imports_only_what_it_may_change(client_as):
    assert resources_offered(client_as("warehouse"), STOCK_IMPORT) == [
        "Stock update (sku, then stock or delta, reason)"
    ]


def test_merchandising_imports_variants_but_not_stock(client_as):
    assert resources_offered(client_as("merchandising"), STOCK_IMPORT) == [
        "Variants (sku, product, size, color, coverage, is_active)"
    ]


@pytest.mark.parametrize("role", ["warehouse", "support"])
def test_product_import_is_merchandising_only(client_as, role):
    response = client_as(role).get(reverse("admin:catalog_product_import"))
    assert response.status_code == 403


def test_product_import_creates_products(client_as):
    CategoryFactory(slug="abayas")
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_import")
    preview = upload(
        client, url, "slug,name,category,base_price\nnew-abaya,New Abaya,abayas,60\n", name="p.csv"
    )
    assert preview.context["result"].totals["new"] == 1
    client.post(
        reverse("admin:catalog_product_process_import"), preview.context["confirm_form"].initial
    )
    assert Product.objects.get(slug="new-abaya").history.get().history_user == client.user


def test_exports_neutralise_spreadsheet_formulas(client_as):
    ProductFactory(name='=HYPERLINK("http://evil.example","Click")', slug="evil")
    ProductFactory(name="+44 7700 900123", slug="plus")
    ProductFactory(name="Plain Abaya", slug="plain")
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_export")
    response = client.post(
        url,
        {"format": 0, "resource": 0, "productresource_slug": True, "productresource_name": True},
    )
    text = response.content.decode("utf-8-sig")
    names = {row["slug"]: row["name"] for row in csv.DictReader(io.StringIO(text))}
    assert names["evil"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert names["plus"] == "'+44 7700 900123"
    assert names["plain"] == "Plain Abaya"
    response = client.post(
        url,
        {"format": 1, "resource": 0, "productresource_slug": True, "productresource_name": True},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://evil.example","Click")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_the_variant_export_streams(client_as, variants):
    ProductVariant.objects.filter(sku="MXD-S").update(color="=1+1")
    response = client_as("warehouse").get(reverse("admin:catalog_productvariant_export_all_csv"))
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["sku"] for r in rows] == ["MXD-S", "MXD-M", "MXD-L"]
    assert rows[0]["color"] == "'=1+1" and rows[0]["stock"] == "5" and rows[0]["size"] == "M"


def test_support_exports_orders_with_their_lines(client_as):
    from apps.orders.services import Line, order_place
    from tests.factories import UserFactory

    variant = VariantFactory(sku="HJB-1", stock_available=5)
    order = order_place(
        user=UserFactory(email="a@example.com"),
        address="x",
        lines=[Line(variant.pk, 2)],
        actor=system(),
    )
    client = client_as("support")
    url = reverse("admin:orders_order_export")
    fields = {
        f"orderlineexportresource_{name}": True
        for name in ["order", "customer", "sku", "quantity", "price", "line_total"]
    }
    response = client.post(url, {"format": 0, "resource": 0, **fields})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    expected = {
        "order": str(order.pk),
        "customer": "a@example.com",
        "sku": "HJB-1",
        "size": "M",
        "quantity": "2",
        "price_at_purchase": "79.00",
        "line_total": "158.00",
        "order_total": "158.00",
    }
    assert rows[0].items() >= expected.items()


def test_the_export_reads_the_table_through_a_server_side_cursor(variants):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps.catalog.resources import VariantExportResource
    from apps.toolkit.importing import stream_csv

    VariantFactory.create_batch(30)
    queryset = ProductVariant.objects.select_related("product", "coverage").order_by("pk")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        chunks = stream_csv(VariantExportResource().export_rows(queryset, chunk_size=10))
        text = "".join(chunks)
    assert any(q["sql"].startswith("DECLARE") for q in queries)  # fetched in chunks
    assert len(text.strip().splitlines()) == 1 + 33


# Confirmation: once, and never a success that did not happen ------------------------------


def test_confirming_twice_imports_once_and_says_so(client_as, variants):
    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,delta\nMXD-S,+3\n")
    confirm = post_form(preview.content, containing="import_file_name")  # its key included
    first = client.post(STOCK_CONFIRM, confirm, follow=True)
    assert "Import finished: 0 new, 1 updated" in first.content.decode()
    # The list it lands on shows what the import changed, and only that.
    changed = first.redirect_chain[-1][0]
    assert "?import=" in changed
    assert [v.sku for v in first.context["cl"].result_list] == ["MXD-S"]
    again = client.post(STOCK_CONFIRM, confirm, follow=True)  # a double click, a retry
    html = again.content.decode()
    assert again.status_code == 200
    assert again.redirect_chain[-1][0] == changed
    assert "Already done at " in html and "this was sent twice and done once" in html
    assert "Import finished: 0 new, 1 updated" in html
    assert f'<a href="{changed}">See what it changed</a>' in html
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 8  # +3 once


def test_the_import_link_lists_what_one_import_wrote_and_nothing_else(client_as):
    category = CategoryFactory(slug="abayas")
    ProductFactory(slug="untouched", category=category)
    client = client_as("merchandising")
    text = "slug,name,category,base_price\nnew-abaya,New Abaya,abayas,60\n"
    preview = upload(client, PRODUCT_IMPORT, text, name="p.csv")
    done = client.post(PRODUCT_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    assert [p.slug for p in done.context["cl"].result_list] == ["new-abaya"]
    # A later import of another file lists only its own rows.
    text = "slug,name,category,base_price\nuntouched,Renamed,abayas,60\n"
    preview = upload(client, PRODUCT_IMPORT, text, name="q.csv")
    done = client.post(PRODUCT_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    assert [p.slug for p in done.context["cl"].result_list] == ["untouched"]


@pytest.mark.parametrize("value", ["nothex!!", "1" * 500, "ZZZZZZZZ", "١٢٣٤٥٦٧٨", "29DFE96C"])
def test_a_malformed_import_filter_lists_nothing_and_shows_itself(client_as, variants, value):
    # A damaged "what it changed" link must not look as if the import changed everything.
    url = reverse("admin:catalog_productvariant_changelist")
    response = client_as("warehouse").get(url, {"import": value})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0
    assert "Import (no such import)" in response.content.decode()


def test_a_confirmation_after_the_stock_moved_writes_nothing_and_says_why(client_as, variants):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,delta\nMXD-M,-2\n")  # 2 in stock: fine now
    variant = ProductVariant.objects.get(sku="MXD-M")
    # An order (or a colleague) takes one before the confirmation.
    stock_adjust(variant=variant, quantity=1, reason=StockReason.DAMAGED, actor=staff("Warehouse"))
    done = client.post(STOCK_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    html = done.content.decode()
    assert "Nothing was imported" in html and "Import finished" not in html
    assert "MXD-M" in html
    assert ProductVariant.objects.get(sku="MXD-M").stock_available == 1


def test_a_new_level_confirmed_after_the_stock_moved_is_refused_and_says_what_moved(
    client_as, variants
):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    client = client_as("warehouse")
    # The preview shows MXD-S 5 → 9 and MXD-L 7 → 1.
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\nMXD-L,1\n")
    colleague = staff("Warehouse", "receiving@test.example")
    variant = ProductVariant.objects.get(sku="MXD-L")
    stock_adjust(variant=variant, quantity=10, reason=StockReason.RECEIVED, actor=colleague)
    done = client.post(STOCK_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    html = done.content.decode()
    assert "Nothing was imported" in html and "Import finished" not in html
    assert "MXD-L” went from “7” to “17” since the preview" in html
    assert "Received by receiving@test.example" in html
    # Neither row was written: the count typed over 7 must not erase the receipt of 10.
    assert ProductVariant.objects.get(sku="MXD-L").stock_available == 17
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5
    # The same file, uploaded again, previews the new values and may then be confirmed.
    again = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\nMXD-L,1\n")
    client.post(STOCK_CONFIRM, again.context["confirm_form"].initial)
    assert ProductVariant.objects.get(sku="MXD-L").stock_available == 1


def test_a_delta_confirmed_after_an_order_is_still_added(client_as, variants):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,delta\nMXD-L,+10\n")  # 7 → 17 in the preview
    variant = ProductVariant.objects.get(sku="MXD-L")
    stock_adjust(variant=variant, quantity=2, reason=StockReason.DAMAGED, actor=staff("Warehouse"))
    client.post(STOCK_CONFIRM, preview.context["confirm_form"].initial)
    # Ten received, two damaged meanwhile: both stand.
    assert ProductVariant.objects.get(sku="MXD-L").stock_available == 15


def test_a_product_changed_after_the_preview_is_not_overwritten(client_as):
    from decimal import Decimal

    CategoryFactory(slug="abayas")
    product = ProductFactory(slug="linen-abaya", name="Linen Abaya", base_price=Decimal("79.00"))
    client = client_as("merchandising")
    text = "slug,name,category,base_price\nlinen-abaya,Linen Abaya,abayas,75\n"
    preview = upload(client, PRODUCT_IMPORT, text, name="p.csv")
    product.base_price = Decimal("69.00")  # a colleague's sale price, saved meanwhile
    product.save()
    done = client.post(PRODUCT_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    html = done.content.decode()
    assert "Nothing was imported" in html
    assert "column base_price" in html and "went from “79.00” to “69.00” since the preview" in html
    product.refresh_from_db()
    assert product.base_price == Decimal("69.00")


def test_a_product_created_after_the_preview_is_not_overwritten(client_as):
    category = CategoryFactory(slug="abayas")
    client = client_as("merchandising")
    text = "slug,name,category,base_price\nnew-abaya,New Abaya,abayas,60\n"
    preview = upload(client, PRODUCT_IMPORT, text, name="p.csv")
    ProductFactory(slug="new-abaya", name="Made by hand", category=category)
    done = client.post(PRODUCT_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    assert "product “new-abaya” was created since the preview" in done.content.decode()
    assert Product.objects.get(slug="new-abaya").name == "Made by hand"


def test_a_confirmation_whose_preview_expired_writes_nothing(client_as, variants):
    from django.core.cache import cache

    from apps.toolkit.importing import preview_cache_key

    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\n")
    confirm = preview.context["confirm_form"].initial
    cache.delete(preview_cache_key(confirm["import_file_name"]))
    done = client.post(STOCK_CONFIRM, confirm, follow=True)
    html = done.content.decode()
    assert "That upload is no longer available" in html
    assert "Import finished" not in html
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5


def test_a_confirmation_that_changes_nothing_is_not_a_success(client_as, variants):
    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,5\n")  # already 5
    done = client.post(STOCK_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    html = done.content.decode()
    assert "Nothing was imported: every row already matched" in html
    assert "Import finished" not in html


def test_a_confirmation_of_an_unknown_upload_is_a_message_not_a_500(client_as, variants):
    client = client_as("warehouse")
    response = client.post(
        STOCK_CONFIRM,
        {
            "format": "0",
            "resource": "0",
            "import_file_name": "made-up",
            "original_file_name": "x.csv",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "That upload is no longer available" in response.content.decode()


# A confirmation must match its preview; a refused one leaves the upload to its owner -------


def test_a_confirmation_form_with_a_field_missing_does_not_block_the_real_one(client_as, variants):
    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\n")
    confirm = dict(preview.context["confirm_form"].initial)
    broken = {k: v for k, v in confirm.items() if k != "original_file_name"}
    client.post(STOCK_CONFIRM, broken)
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5
    done = client.post(STOCK_CONFIRM, confirm, follow=True)
    assert "Import finished" in done.content.decode()
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 9


@pytest.mark.parametrize(
    "tampered",
    [
        {"format": "1"},
        {"format": "7"},
        {"format": "abc"},
        {"resource": "5"},
        {"resource": "-1"},
        {"format": "٠"},
    ],
)
def test_a_tampered_confirmation_is_refused_and_the_upload_kept(client_as, variants, tampered):
    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\n")
    confirm = dict(preview.context["confirm_form"].initial)
    response = client.post(STOCK_CONFIRM, confirm | tampered, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import finished" not in html and (
        "does not match its preview" in html or "Nothing was imported" in html
    )
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5
    if "format" in tampered and tampered["format"] == "1":
        return  # read as the wrong format: refused by the reader, which used the upload
    client.post(STOCK_CONFIRM, confirm)
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 9


def test_only_the_person_who_previewed_a_file_confirms_it(client_as, variants):
    from django.test import Client

    from tests.actors import staff

    owner = client_as("warehouse")
    preview = upload(owner, STOCK_IMPORT, "sku,stock\nMXD-S,9\n")
    confirm = preview.context["confirm_form"].initial
    colleague = Client()
    colleague.force_login(staff("Warehouse"))
    refused = colleague.post(STOCK_CONFIRM, confirm, follow=True)
    assert "That preview was made by another member of staff" in refused.content.decode()
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5
    owner.post(STOCK_CONFIRM, confirm)  # the upload is still the owner's to confirm
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 9


def test_variants_imported_from_the_product_list_are_reported_and_linked_as_variants(
    client_as, variants
):
    client = client_as("merchandising")
    text = "sku,product,size,color\nMXD-S,maxi-dress,S,Olive\n"
    preview = client.post(
        PRODUCT_IMPORT,
        {"resource": 1, "format": 0, "import_file": SimpleUploadedFile("v.csv", text.encode())},
    )
    assert preview.context["confirm_form"] is not None
    done = client.post(PRODUCT_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    html = done.content.decode()
    assert "0 new, 1 updated, 0 unchanged product variants." in html
    changed = done.redirect_chain[-1][0]
    assert changed.startswith(reverse("admin:catalog_productvariant_changelist") + "?import=")
    assert [v.sku for v in done.context["cl"].result_list] == ["MXD-S"]


def test_the_import_link_matches_its_batch_exactly(client_as, variants):
    from apps.catalog.services import StockReason, stock_adjust
    from tests.actors import staff

    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,delta\nMXD-S,+1\n")
    done = client.post(STOCK_CONFIRM, preview.context["confirm_form"].initial, follow=True)
    link = done.redirect_chain[-1][0]
    batch = link.rsplit("=", 1)[1]
    # A note that mentions the batch, and a file named after it, are not the batch.
    variant = ProductVariant.objects.get(sku="MXD-M")
    stock_adjust(
        variant=variant,
        quantity=1,
        reason=StockReason.RECEIVED,
        note=f"fixing Import {batch} from this morning",
        actor=staff("Warehouse"),
    )
    # Nor a note that starts with it, under a one-word reason ("Received: Import …").
    stock_adjust(
        variant=variant,
        quantity=1,
        reason=StockReason.RECEIVED,
        note=f"Import {batch} sneaky",
        actor=staff("Warehouse"),
    )
    other = upload(client, STOCK_IMPORT, "sku,delta\nMXD-L,+1\n", name=f"Import {batch} x.csv")
    client.post(STOCK_CONFIRM, other.context["confirm_form"].initial)
    listed = client.get(link).context["cl"].result_list
    assert [v.sku for v in listed] == ["MXD-S"]


def test_the_upload_page_explains_each_file_and_offers_a_template(client_as):
    client = client_as("warehouse")
    page = client.get(STOCK_IMPORT).content.decode()
    assert "Download a CSV template" in page
    assert "the new level counted, 0 or more" in page  # the stock column's help
    template = client.get(STOCK_IMPORT + "?template=0")
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode().splitlines() == ["sku,stock,delta,reason"]
    assert client.get(STOCK_IMPORT + "?template=9").status_code == 404
    assert client.get(STOCK_IMPORT + "?template=abc").status_code == 404


def test_the_format_is_read_from_the_file_name(client_as, variants):
    client = client_as("warehouse")
    file = SimpleUploadedFile("stock.csv", b"sku,stock\nMXD-S,9\n")
    preview = client.post(STOCK_IMPORT, {"resource": 0, "format": "", "import_file": file})
    assert preview.context["result"].totals["update"] == 1
    odd = SimpleUploadedFile("stock.txt", b"sku,stock\nMXD-S,9\n")
    refused = client.post(STOCK_IMPORT, {"resource": 0, "format": "", "import_file": odd})
    assert "is not named like a file this page reads (.csv, .xlsx)" in refused.content.decode()


def test_a_preview_can_be_cancelled(client_as, variants):
    client = client_as("warehouse")
    preview = upload(client, STOCK_IMPORT, "sku,stock\nMXD-S,9\n").content.decode()
    assert (
        f'href="{reverse("admin:catalog_productvariant_changelist")}">Cancel: import nothing'
        in preview
    )


@pytest.mark.parametrize("role", ["support", "merchandising"])
def test_a_role_that_may_not_import_gets_no_template_either(client_as, role):
    response = client_as(role).get(STOCK_IMPORT + "?template=0")
    if role == "merchandising":  # imports variants, not stock: its first file is another
        assert response.content.decode().splitlines()[0].startswith("sku,product")
    else:
        assert response.status_code == 403


def test_the_export_page_says_whether_it_exports_the_filtered_list_or_everything(client_as):
    client = client_as("support")
    from tests.factories import OrderFactory

    OrderFactory.create_batch(2, status="paid")
    OrderFactory(status="pending")
    export = reverse("admin:orders_order_export")
    filtered = " ".join(client.get(export + "?status__exact=paid").content.decode().split())
    assert (
        "This export holds the 2 orders of the list as you filtered it (Status: Paid)" in filtered
    )
    everything = " ".join(client.get(export).content.decode().split())
    assert "This export holds every one of the 3 orders." in everything


def test_the_export_page_counts_only_what_the_persons_list_holds(client_as, monkeypatch):
    from apps.orders.admin.orders import OrderAdmin
    from tests.factories import OrderFactory

    client = client_as("support")
    OrderFactory.create_batch(2, status="paid")
    OrderFactory(status="pending")
    # As a role whose list holds part of the table (the scope a get_queryset gives).
    scoped = OrderAdmin.get_queryset
    monkeypatch.setattr(
        OrderAdmin, "get_queryset", lambda self, r: scoped(self, r).filter(status="paid")
    )
    everything = " ".join(client.get(reverse("admin:orders_order_export")).content.decode().split())
    assert "This export holds every one of the 2 orders." in everything


def test_the_export_page_names_the_filters_as_the_list_shows_them(client_as):
    category = CategoryFactory(name="Open Abayas")
    ProductFactory(name="Linen Abaya", category=category)
    client = client_as("merchandising")
    export = reverse("admin:catalog_product_export")
    page = " ".join(
        client.get(export, {"category": category.pk, "q": "abaya"}).content.decode().split()
    )
    assert "(Category: Open Abayas, Search: “abaya”)" in page  # not "category: 7"
    refused = client.get(export, {"bogus__field": "1"})  # a hand-edited link: never a 500
    assert refused.status_code == 302
    assert refused["Location"] == reverse("admin:catalog_product_changelist")
