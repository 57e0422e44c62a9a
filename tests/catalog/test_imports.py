"""Imports: every bad row is named with its column and reason, and nothing is written.

Row numbers count the rows under the header, as django-import-export's preview does.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from apps.catalog.models import Category, Product, ProductVariant
from apps.catalog.resources import (
    CategoryResource,
    ProductResource,
    StockUpdateResource,
    VariantResource,
)
from apps.toolkit.importing import CSV, XLSX, ImportFileError, describe_errors
from tests.actors import staff, system
from tests.factories import (
    CategoryFactory,
    CoverageLevelFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db


def dataset(text: str):
    return CSV().create_dataset(text.encode("utf-8"))


def run(resource_class, text, user=None, dry_run=False):
    user = user or system()
    resource = resource_class(user=user, batch_name="Import test-batch")
    result = resource.import_data(dataset(text), dry_run=dry_run, use_transactions=True, user=user)
    return result, describe_errors(result)


@pytest.fixture
def catalog():
    dresses = CategoryFactory(slug="dresses", name="Dresses")
    CoverageLevelFactory(name="Full Coverage")
    product = ProductFactory(slug="maxi-dress", category=dresses, base_price=Decimal("50.00"))
    VariantFactory(product=product, sku="MXD-S", stock_available=5)
    VariantFactory(product=product, sku="MXD-M", stock_available=2)
    return product


# Stock updates -------------------------------------------------------------------------


def test_stock_levels_and_deltas_go_through_the_stock_service(catalog):
    clerk = staff("Warehouse")
    result, errors = run(
        StockUpdateResource,
        "sku,stock,delta,reason\nMXD-S,12,,count 14 Nov\nMXD-M,,+3,delivery DN-9\n",
        user=clerk,
    )
    assert errors == []
    levels = dict(ProductVariant.objects.values_list("sku", "stock_available"))
    assert levels == {"MXD-S": 12, "MXD-M": 5}
    latest = ProductVariant.objects.get(sku="MXD-M").history.first()
    assert latest.history_user == clerk
    assert latest.history_change_reason == "Import: Import test-batch: delivery DN-9"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("NOPE,3,,", "Row 2, column sku: unknown SKU “NOPE”"),
        (
            "mxd-m,3,,",
            "Row 2, column sku: unknown SKU “mxd-m” (SKUs match exactly: did you mean “MXD-M”?)",
        ),
        ("MXD-M,-1,,", "Row 2, column stock: would make the stock of MXD-M -1"),
        ("MXD-M,,-3,", "Row 2, column delta: would make the stock of MXD-M -1 (it is 2)"),
        ("MXD-M,three,,", "Row 2, column stock: “three” is not a whole number"),
        ("MXD-M,4,1,", "Row 2, column stock: give either a new stock level or a delta"),
        ("MXD-S,5,,", "Row 2, column sku: sku “MXD-S” appears twice in the file (rows 1 and 2)"),
        (",4,,", "Row 2, column sku: column “sku” is empty; it is required"),
        # Numbers are digits 0–9 within PostgreSQL's integer: no other scripts, no exponents.
        ("MXD-M,٣٤,,", "Row 2, column stock: “٣٤” is not a whole number written in digits 0–9"),
        ("MXD-M,３,,", "Row 2, column stock: “３” is not a whole number written in digits 0–9"),
        ("MXD-M,1e2,,", "Row 2, column stock: “1e2” is not a whole number"),
        ("MXD-M,1_000,,", "Row 2, column stock: “1_000” is not a whole number"),
        ("MXD-M,2147483648,,", "Row 2, column stock: “2147483648” is out of range"),
        ("MXD-M,,-2147483648,", "Row 2, column delta: “-2147483648” is out of range"),
        ("MXD-M,,--3,", "Row 2, column delta: “--3” is not a whole number"),
        ("MXD-M,,+٣,", "Row 2, column delta: “+٣” is not a whole number"),
        (
            "MXD-M,,+2147483647,",
            "Row 2, column delta: would make the stock of MXD-M 2,147,483,649; a stock level "
            "holds at most 2,147,483,647",
        ),
    ],
)
def test_one_bad_stock_row_refuses_the_whole_file(catalog, rows, expected):
    text = "sku,stock,delta,reason\nMXD-S,40,,\n" + rows + "\n"
    result, errors = run(StockUpdateResource, text)
    assert any(line.startswith(expected) for line in errors), errors
    levels = dict(ProductVariant.objects.values_list("sku", "stock_available"))
    assert levels == {"MXD-S": 5, "MXD-M": 2}
    assert ProductVariant.history.count() == 2


def test_the_warehouse_file_cannot_carry_prices(catalog):
    result, errors = run(StockUpdateResource, "sku,stock,base_price\nMXD-S,3,1.00\n")
    assert errors == [
        "File: The header is wrong: unknown column(s): base_price. Expected: sku, stock, "
        "delta, reason."
    ]
    assert Product.objects.get().base_price == Decimal("50.00")


# Products, variants, categories --------------------------------------------------------

PRODUCT_HEADER = "slug,name,category,coverage_level,base_price,description,is_featured\n"


def test_products_are_created_and_updated_with_history(catalog):
    merch = staff("Merchandising")
    result, errors = run(
        ProductResource,
        PRODUCT_HEADER
        + "maxi-dress,Maxi Dress,dresses,Full Coverage,55.00,Now longer,yes\n"
        + "silk-hijab,Silk Hijab,dresses,,19.90,,0\n",
        user=merch,
    )
    assert errors == []
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    updated = Product.objects.get(slug="maxi-dress")
    assert (updated.base_price, updated.is_featured) == (Decimal("55.00"), True)
    created = Product.objects.get(slug="silk-hijab")
    assert created.history.get().history_change_reason == "Import test-batch"
    assert created.history.get().history_user == merch
    assert updated.history.first().history_user == merch


def test_an_unchanged_row_is_reported_and_not_written(catalog):
    p = catalog
    result, errors = run(
        ProductResource,
        PRODUCT_HEADER
        + f"{p.slug},{p.name},dresses,{p.coverage_level.name},50.00,{p.description},0\n",
    )
    assert errors == [] and result.totals["skip"] == 1
    assert p.history.count() == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a,A,nowhere,,10,,", "Row 2, column category: unknown category “nowhere”"),
        ("a,A,dresses,Extreme,10,,", "Row 2, column coverage_level: unknown coverage level"),
        ("a,A,dresses,,123456.00,,", "Row 2, column base_price: “123456.00” has too many digits"),
        ("a,A,dresses,,9.999,,", "Row 2, column base_price: “9.999” has more than 2 decimals"),
        ("a,A,dresses,,cheap,,", "Row 2, column base_price: “cheap” is not a price"),
        ("a,A,dresses,,-1,,", "Row 2, column base_price: “-1” is not a price of zero or more"),
        ("a,A,dresses,,٣٤,,", "Row 2, column base_price: “٣٤” is not a price: write digits 0–9"),
        ("a,A,dresses,,１０,,", "Row 2, column base_price: “１０” is not a price"),
        ("a,A,dresses,,1e2,,", "Row 2, column base_price: “1e2” is not a price"),
        ("a,A,dresses,,NaN,,", "Row 2, column base_price: “NaN” is not a price"),
        ("a,A,dresses,,1 000,,", "Row 2, column base_price: “1 000” is not a price"),
        (
            "a,A,dresses,,10," + "d" * 10_001 + ",",
            "Row 2, column description: Ensure this value has at most 10000 characters",
        ),
        ("a,,dresses,,10,,", "Row 2, column name: column “name” is empty; it is required"),
        ("a,A,dresses,,10,,maybe", "Row 2, column is_featured: “maybe” is not yes/no"),
        # The model's own validation, as the product form runs it:
        ("Bad Slug!/x,A,dresses,,10,,", "Row 2, column slug: Enter a valid “slug”"),
        ("a" * 51 + ",A,dresses,,10,,", "Row 2, column slug: Ensure this value has at most 50"),
        ("a," + "N" * 256 + ",dresses,,10,,", "Row 2, column name: Ensure this value has at most"),
    ],
)
def test_bad_product_rows_are_named_and_nothing_is_written(catalog, row, expected):
    text = PRODUCT_HEADER + "fine,Fine,dresses,,10,,\n" + row + "\n"
    result, errors = run(ProductResource, text)
    assert any(line.startswith(expected) for line in errors), errors
    assert list(Product.objects.values_list("slug", flat=True)) == ["maxi-dress"]


def test_a_new_product_is_not_imported_into_a_hidden_category_but_one_there_is_updated(catalog):
    archive = CategoryFactory(slug="archive", name="Archive", is_active=False)
    CategoryFactory(slug="winter", name="Winter", parent=archive)  # hidden by its parent
    ProductFactory(slug="old-coat", name="Old Coat", category=archive, base_price=Decimal("9"))
    result, errors = run(
        ProductResource,
        PRODUCT_HEADER + "new-coat,New Coat,winter,,10,,\nold-coat,Old Coat,archive,,12,,\n",
    )
    assert errors == [
        "Row 1, column category: “winter” is hidden from the storefront (it or a category "
        "above it), so a new product there would not be seen: show it first, or choose another"
    ]
    assert not Product.objects.filter(slug="new-coat").exists()
    result, errors = run(ProductResource, PRODUCT_HEADER + "old-coat,Old Coat,archive,,12,,\n")
    assert errors == [] and Product.objects.get(slug="old-coat").base_price == Decimal("12")


def test_variants_by_sku_with_product_by_slug_and_size_labels(catalog):
    result, errors = run(
        VariantResource,
        "sku,product,size,color,coverage,is_active\n"
        "MXD-S,maxi-dress,S,Navy,Full Coverage,1\n"
        "MXD-XL,maxi-dress,XL,Navy,,1\n",
    )
    assert errors == []
    assert ProductVariant.objects.get(sku="MXD-S").color == "Navy"
    new = ProductVariant.objects.get(sku="MXD-XL")
    assert (new.size, new.stock_available) == (ProductVariant.Size.XL, 0)
    bad, errors = run(VariantResource, "sku,product,size,color\nX-1,ghost,XXXL,Red\n")
    assert "Row 1, column product: unknown product “ghost”" in errors
    assert any("“XXXL” is not a size" in e for e in errors)
    assert not ProductVariant.objects.filter(sku="X-1").exists()


def test_a_category_import_builds_a_valid_tree():
    root = CategoryFactory(slug="clothing", name="Clothing")
    text = (
        "slug,name,parent,is_active\n"
        "dresses,Dresses,clothing,1\n"
        "evening,Evening Dresses,dresses,1\n"
        "hijabs,Hijabs,,1\n"
    )
    result, errors = run(CategoryResource, text)
    assert errors == []
    evening = Category.objects.get(slug="evening")
    assert [c.slug for c in evening.get_ancestors()] == ["clothing", "dresses"]
    tree = list(Category.objects.values_list("pk", "tree_id", "lft", "rght", "level"))
    Category.objects.rebuild()
    assert sorted(tree) == sorted(
        Category.objects.values_list("pk", "tree_id", "lft", "rght", "level")
    )
    assert root.history.count() == 1
    assert evening.history.get().history_change_reason == "Import test-batch"


def test_a_child_listed_before_its_parent_is_refused():
    result, errors = run(CategoryResource, "slug,name,parent\nkids,Kids,family\nfamily,Family,\n")
    assert any("parent category “family” comes further down in the file" in e for e in errors)
    assert not Category.objects.exists()


# Files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "\ufeffsku;stock\nMXD-S;9\n".encode(),  # Excel's "CSV UTF-8": BOM and semicolons
        b"sku,stock\r\nMXD-S,9\r\n",
    ],
)
def test_csv_variants_are_read(catalog, raw):
    data = CSV().create_dataset(raw)
    assert data.headers == ["sku", "stock"] and data[0] == ("MXD-S", "9")


def test_xlsx_is_read(catalog):
    book = Workbook()
    book.active.append(["sku", "stock"])
    book.active.append(["MXD-S", 9])
    buffer = io.BytesIO()
    book.save(buffer)
    data = XLSX().create_dataset(buffer.getvalue())
    result = StockUpdateResource(user=system()).import_data(data, use_transactions=True)
    assert describe_errors(result) == []
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 9


def xlsx(*rows):
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return XLSX().create_dataset(buffer.getvalue())


def test_a_sheet_with_blank_rows_and_unnamed_empty_columns_below_and_beside_it_is_read(catalog):
    book = Workbook()
    sheet = book.active
    sheet.append(["sku", "stock"])
    sheet.append(["MXD-S", 9])
    sheet.cell(row=8, column=5).number_format = "0.00"  # formatted, empty: openpyxl keeps it
    sheet.cell(row=8, column=5).value = ""
    buffer = io.BytesIO()
    book.save(buffer)
    data = XLSX().create_dataset(buffer.getvalue())
    assert data.headers == ["sku", "stock"] and list(data) == [("MXD-S", 9)]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["sku", "stock", "stock"], ["MXD-S", 5, 900]], "names “stock” more than once"),
        ([["sku", None, "stock"], ["MXD-S", "x", 5]], "Column 2 has values but no name"),
    ],
)
def test_a_sheet_with_an_ambiguous_header_is_refused(catalog, rows, message):
    with pytest.raises(ImportFileError, match=message):
        xlsx(*rows)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sku,stock,stock\nMXD-S,5,900\n", "names “stock” more than once"),
        ("sku,,stock\nMXD-S,x,5\n", "Column 2 has values but no name"),
    ],
)
def test_a_csv_with_an_ambiguous_header_is_refused(catalog, text, message):
    with pytest.raises(ImportFileError, match=message):
        dataset(text)


def test_a_trailing_separator_in_the_header_is_an_empty_column_not_an_error(catalog):
    result, errors = run(StockUpdateResource, "sku,stock,\nMXD-S,9,\n")
    assert errors == []
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 9


def test_spaces_around_a_key_do_not_make_a_new_row(catalog):
    # A form strips what is typed; so does the import: " MXD-S " is MXD-S, not a new variant.
    result, errors = run(VariantResource, "sku,product,size,color\n MXD-S ,maxi-dress,S, Olive \n")
    assert errors == [] and (result.totals["new"], result.totals["update"]) == (0, 1)
    assert list(
        ProductVariant.objects.filter(sku__contains="MXD-S").values_list("sku", "color")
    ) == [("MXD-S", "Olive")]


@pytest.mark.parametrize(
    ("raw", "fmt", "message"),
    [
        ("sku,stock\nMXD-S,9\n".encode("utf-16"), CSV, "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", CSV, "not UTF-8"),
        (b"sku,stock\x00\n", CSV, "binary"),
        (b"\n\nMXD-S,9", CSV, "header"),
        (b"sku,stock\nMXD-S,9\n", XLSX, "not an Excel workbook"),
    ],
)
def test_malformed_files_are_refused_with_a_message(raw, fmt, message):
    with pytest.raises(ImportFileError, match=message):
        fmt().create_dataset(raw)


# The command -----------------------------------------------------------------------------


def test_the_command_imports_with_the_same_rules(catalog, tmp_path, capsys):
    clerk = UserFactory(email="clerk@modestwear.example", is_staff=True, is_superuser=True)
    good = tmp_path / "count.csv"
    good.write_text("sku,stock\nMXD-S,30\n")
    call_command("import_catalog", "stock", str(good), "--user", clerk.email, "--no-progress")
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 30
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,stock\nMXD-S,31\nMXD-M,-4\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_catalog", "stock", str(bad), "--user", clerk.email, "--no-progress")
    assert "Row 2, column stock" in capsys.readouterr().err
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 30


def test_the_command_checks_the_role(catalog, tmp_path, staff_user):
    merch = staff_user("merchandising")
    file = tmp_path / "count.csv"
    file.write_text("sku,stock\nMXD-S,30\n")
    with pytest.raises(CommandError, match="may not import stock"):
        call_command("import_catalog", "stock", str(file), "--user", merch.email)
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5


def test_an_import_never_moves_an_existing_category():
    from apps.catalog.models import Category

    outer = CategoryFactory(slug="outerwear", name="Outerwear")
    coats = CategoryFactory(slug="coats", name="Coats", parent=outer)
    CategoryFactory(slug="sale", name="Sale")
    result, errors = run(CategoryResource, "name,slug,parent\nCoats,coats,sale\n")
    assert any("column parent" in e and "move categories with Move" in e for e in errors), errors
    assert Category.objects.get(pk=coats.pk).parent_id == outer.pk


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "MXD-L,maxi-dress,L," + "c" * 101,
            "Row 1, column color: Ensure this value has at most 100",
        ),
        ("MXD-L,maxi-dress,XXXL,Black", "Row 1, column size:"),
        ("MXD-L,maxi-dress,٣,Black", "Row 1, column size: “٣” is not a size"),
        ("S" * 256 + ",maxi-dress,L,Black", "Row 1, column sku: Ensure this value has at most 255"),
    ],
)
def test_bad_variant_rows_are_refused_like_the_form_refuses_them(catalog, row, expected):
    result, errors = run(VariantResource, "sku,product,size,color\n" + row + "\n")
    assert any(line.startswith(expected) for line in errors), errors
    assert sorted(ProductVariant.objects.values_list("sku", flat=True)) == ["MXD-M", "MXD-S"]


def test_prices_as_staff_write_them_are_read(catalog):
    text = PRODUCT_HEADER + 'a,A,dresses,,79,,\nb,B,dresses,,79.5,,\nc,C,dresses,,"79,50",,\n'
    result, errors = run(ProductResource, text)
    assert errors == []
    prices = dict(Product.objects.filter(slug__in="abc").values_list("slug", "base_price"))
    assert prices == {"a": Decimal("79.00"), "b": Decimal("79.50"), "c": Decimal("79.50")}


def test_a_cell_longer_than_the_csv_readers_limit_is_named_by_row_and_column(catalog):
    # Python's CSV reader stops at 131,072 characters a cell ("field larger than field
    # limit"); the file's own size limit bounds cells instead, and the model says what fits.
    text = PRODUCT_HEADER + "a,A,dresses,,10," + "d" * 200_000 + ",\n"
    result, errors = run(ProductResource, text)
    assert errors == [
        "Row 1, column description: Ensure this value has at most 10000 characters (it has 200000)."
    ]
    assert not Product.objects.filter(slug="a").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sku,stock\nMXD-S,4,9\n", "Row 1 has 3 cells where the header has 2"),
        ('sku,stock\nMXD-S,"4\n', "cannot be read as CSV"),
    ],
)
def test_a_malformed_csv_line_is_named(catalog, text, expected):
    with pytest.raises(ImportFileError, match=expected):
        dataset(text)


def test_short_lines_and_trailing_blank_lines_are_read_as_empty_cells(catalog):
    result, errors = run(StockUpdateResource, "sku,stock,delta\nMXD-S,9\nMXD-M,,+1\n\n\n")
    assert errors == []
    levels = dict(ProductVariant.objects.values_list("sku", "stock_available"))
    assert levels == {"MXD-S": 9, "MXD-M": 3}


def test_a_category_that_names_itself_as_parent_is_told_so():
    result, errors = run(CategoryResource, "slug,name,parent\nloop,Loop,loop\n")
    assert errors == ["Row 1, column parent: “loop” names itself as its parent"]
    assert not Category.objects.filter(slug="loop").exists()


def test_a_category_slug_too_long_is_named_not_a_database_error():
    slug = "s" * 51
    result, errors = run(CategoryResource, f"name,slug,parent\nLong,{slug},\n")
    assert any(
        line.startswith("Row 1, column slug: Ensure this value has at most 50") for line in errors
    ), errors
    assert not any("character varying" in line for line in errors)


# The bulk path writes the file's columns, never a guarded field --------------------------


def test_a_bulk_update_writes_only_the_columns_in_the_file(catalog):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result, errors = run(
            ProductResource, "slug,name,category,base_price\nmaxi-dress,New,dresses,50\n"
        )
    assert errors == [] and result.totals["update"] == 1
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "catalog_product"')]
    assert len(updates) == 1
    assert '"name"' in updates[0]
    assert '"description"' not in updates[0] and '"is_featured"' not in updates[0]


def test_a_resource_cannot_bulk_write_a_guarded_field(catalog):
    from import_export import fields, widgets

    class StockByTheBackDoor(VariantResource):
        # A new resource that puts stock on the generic bulk path (which bypasses save()).
        optional_columns = ("coverage", "is_active", "stock")
        stock = fields.Field(
            attribute="stock_available", column_name="stock", widget=widgets.IntegerWidget()
        )

        class Meta(VariantResource.Meta):
            fields = ["sku", "product", "size", "color", "coverage", "is_active", "stock"]

    result, errors = run(
        StockByTheBackDoor, "sku,product,size,color,stock\nMXD-S,maxi-dress,S,Black,999\n"
    )
    assert any("stock_available changes only through its service" in e for e in errors), errors
    assert ProductVariant.objects.get(sku="MXD-S").stock_available == 5


def test_a_unique_key_taken_meanwhile_is_explained_not_shown_raw():
    from django.db import IntegrityError

    from apps.toolkit.importing import _plain

    raw = IntegrityError(
        'duplicate key value violates unique constraint "catalog_product_slug_key"'
    )
    assert _plain(raw).startswith("a row this file creates was created meanwhile")
    assert "catalog_product_slug_key" not in _plain(raw)
    assert _plain(ValueError("other")) == "other"
