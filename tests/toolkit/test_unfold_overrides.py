"""apps/toolkit/unfold_overrides.py, list_cells.py and compact_list.py: what they replace is
pinned, what they draw is unfold's own, and what they save stays saved."""

import gzip
import hashlib
import inspect
import re
from pathlib import Path

import pytest
import unfold
from django import forms
from django.contrib.admin import sites as django_sites
from django.template import base as template_base
from django.urls import reverse
from unfold import fields as unfold_fields
from unfold import sites as unfold_sites
from unfold import utils as unfold_utils
from unfold.admin import ModelAdmin
from unfold.mixins.nested_inlines_model_admin import NestedInlinesModelAdminMixin
from unfold.templatetags import unfold_list
from unfold.widgets import (
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from apps.orders.admin.orders import OrderAdmin
from apps.toolkit import list_cells
from apps.toolkit.compact_list import compact_widget, list_classes, token_for
from apps.toolkit.unfold_overrides import UNFOLD_CLASSES, UNFOLD_DEFINED
from tests.catalog.test_product_admin import product_form
from tests.factories import (
    CategoryFactory,
    CoverageLevelFactory,
    OrderFactory,
    OrderItemFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

UNFOLD = Path(unfold.__file__).parent / "templates"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# What each override replaces or relies on, as django-unfold 0.91.0 (and Django 5.2) have it.
# A failure here means an upgrade changed it: read the override it names in
# apps/toolkit/unfold_overrides.py, carry the change over (or drop the override), then pin anew.
PINNED_CODE = {
    "items_for_result (1, list_cells.py)": (
        lambda: list_cells.items_for_result.original,
        "660f8ddcff3af8bc",
    ),
    "result_headers (1)": (lambda: unfold_list.result_headers.original, "d467decdfb79075f"),
    "results (1)": (lambda: unfold_list.results, "e5f8c350733d4440"),
    "result_list (1, 2)": (lambda: unfold_list.result_list.original, "ea12b7c08216846d"),
    "_boolean_icon (4)": (lambda: unfold_utils._boolean_icon.original, "c61a955a222677d4"),
    "display_for_label (5)": (
        lambda: unfold_list.display_for_label.original,
        "92ee04986123faa8",
    ),
    "UnfoldAdminReadonlyField (6)": (
        lambda: unfold_fields.UnfoldAdminReadonlyField,
        "0956958cb674ed5a",
    ),
    "ModelAdmin.action_checkbox (3)": (
        lambda: ModelAdmin.action_checkbox.original,
        "9ee7762a77267770",
    ),
    "_build_nested_formsets (7)": (
        lambda: NestedInlinesModelAdminMixin._build_nested_formsets,
        "f5d541517ed59883",
    ),
    "UnfoldAdminSite.each_context (8)": (
        lambda: unfold_sites.UnfoldAdminSite.each_context.original,
        "8c22f740d5c2f43b",
    ),
    "UnfoldAdminSite.get_sidebar_list (7, navigation.py)": (
        lambda: unfold_sites.UnfoldAdminSite.get_sidebar_list,
        "f43758f71b424521",
    ),
    "Django's AdminSite.each_context (8)": (
        lambda: django_sites.AdminSite.each_context,
        "952a65f5608e271e",
    ),
}
PINNED_TEMPLATES = {
    # Copied, compacted, into backoffice/templates/admin/change_list_results.html.
    "admin/change_list_results.html": "1a2a072727ae72f9",
    # list_cells.py: an empty error list renders nothing, so it is not rendered.
    "unfold/helpers/form_errors.html": "9abbf6fc9ed13dc2",
    # 7: the names read but never defined (navigation keys, conditional_fields, nesting).
    "unfold/helpers/app_list.html": "6ab83ac498b2f50f",
    "unfold/helpers/app_list_badge.html": "bc002ff5a001fd04",
    "admin/change_form.html": "e9824d4d8a447d97",
    "unfold/helpers/fieldset_row.html": "2eb8a8acf2d75385",
    "unfold/helpers/edit_inline/tabular_group.html": "99113732dbdac5a0",
}


@pytest.mark.parametrize("name", PINNED_CODE)
def test_the_unfold_code_an_override_replaces_is_the_one_it_was_written_for(name):
    source, pinned = PINNED_CODE[name]
    assert _digest(inspect.getsource(source())) == pinned, name


@pytest.mark.parametrize("name", PINNED_TEMPLATES)
def test_the_unfold_templates_an_override_relies_on_are_unchanged(name):
    assert _digest((UNFOLD / name).read_text()) == PINNED_TEMPLATES[name], name


def test_unfold_still_leaves_the_names_we_define_undefined():
    # 7: defined empty here because unfold reads them without defining them; if it starts
    # defining them, ours may hide its meaning.
    assert UNFOLD_DEFINED == {"conditional_fields": False}
    package = Path(unfold.__file__).parent
    setters = [
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(
            r"\.nested_formsets\s*=|nested_inline\s*=|conditional_fields\s*=", path.read_text()
        )
    ]
    assert setters == ["mixins/nested_inlines_model_admin.py"]  # nesting inlines, not ours


# What the overrides draw is what unfold draws --------------------------------------------


def _changelist(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["cl"]


def _rows_both_ways(cl):
    forms_ = cl.formset.forms if getattr(cl, "formset", None) else [None] * len(cl.result_list)
    ours, theirs = [], []
    for result, form in zip(cl.result_list, forms_, strict=True):
        ours.append([_tags(cell) for cell in list_cells.items_for_result(cl, result, form)])
        theirs.append(
            [_tags(cell) for cell in list_cells.items_for_result.original(cl, result, form)]
        )
    return ours, theirs


def _tags(html: str) -> str:
    """The markup without the blank between tags (unfold's empty error list draws a newline)."""
    return re.sub(r">\s+<", "><", html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("merchandising", "admin:catalog_product_changelist"),
        ("warehouse", "admin:catalog_productvariant_changelist"),  # editable stock and active
        ("superuser", "admin:catalog_productvariant_changelist"),
        ("support", "admin:orders_order_changelist"),  # labels, links, dates, money
        ("merchandising", "admin:catalog_category_changelist"),  # row actions
        ("support", "admin:users_user_changelist"),
    ],
)
def test_list_cells_are_unfolds_byte_for_byte(client_as, role, url):
    product = ProductFactory(category=CategoryFactory(parent=CategoryFactory()))
    VariantFactory.create_batch(3, product=product)
    ProductImageFactory(product=product, is_feature=True)
    for _ in range(2):
        OrderItemFactory(order=OrderFactory())
    cl = _changelist(client_as(role), reverse(url))
    assert cl.result_list, "nothing to compare"
    ours, theirs = _rows_both_ways(cl)
    assert ours == theirs


@pytest.mark.django_db
def test_list_cells_of_an_editable_list_with_errors_are_unfolds(client_as):
    VariantFactory.create_batch(2, product=ProductFactory(), stock_available=3)
    client = client_as("warehouse")
    url = reverse("admin:catalog_productvariant_changelist")
    forms_ = client.get(url).context["cl"].formset.forms
    data = {
        "form-TOTAL_FORMS": len(forms_),
        "form-INITIAL_FORMS": len(forms_),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for form in forms_:
        data.update(
            {
                f"{form.prefix}-id": form.instance.pk,
                f"{form.prefix}-stock_available": "-5",
                f"{form.prefix}-stock_available__seen": form.instance.stock_available,
                f"{form.prefix}-is_active": "on",
            }
        )
    response = client.post(url, data)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert any(form.errors for form in cl.formset.forms)
    ours, theirs = _rows_both_ways(cl)
    assert ours == theirs and "errors" in "".join(ours[0])


@pytest.mark.django_db
def test_list_cells_without_links_are_unfolds(client_as, monkeypatch):
    OrderItemFactory(order=OrderFactory())
    monkeypatch.setattr(OrderAdmin, "list_display_links", None)
    cl = _changelist(client_as("support"), reverse("admin:orders_order_changelist"))
    ours, theirs = _rows_both_ways(cl)
    assert ours == theirs and "<a href" not in "".join(ours[0]).split("field-number")[1][:80]


@pytest.mark.django_db
def test_list_cells_in_a_popup_are_unfolds(client_as):
    VariantFactory.create_batch(2)
    url = reverse("admin:catalog_product_changelist") + "?_popup=1&_to_field=id"
    cl = _changelist(client_as("merchandising"), url)
    assert cl.is_popup
    ours, theirs = _rows_both_ways(cl)
    assert ours == theirs and "data-popup-opener" in "".join(ours[0])


def test_a_boolean_icon_is_unfolds():
    for value in (True, False, None, "", 0, 1):
        assert unfold_utils._boolean_icon(value) == unfold_utils._boolean_icon.original(value)


def test_a_label_is_unfolds():
    colours = {"paid": "success", "cancelled": "danger"}
    for value, label in [
        (True, True),
        (1, True),  # equal to True as a key, drawn as "1"
        (True, {True: "success", None: "danger"}),  # keys that do not sort together
        ("paid", colours),
        ("cancelled", colours),
        ("pending", colours),
        (("paid", "Paid"), colours),
        ("x", True),
        (["a", "b"], True),  # unhashable: drawn every time
    ]:
        mine = unfold_list.display_for_label(value, "-", label)
        assert mine == unfold_list.display_for_label.original(value, "-", label)


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (UnfoldAdminIntegerFieldWidget(attrs={"min": 0, "max": 10}), 5),
        (UnfoldAdminIntegerFieldWidget(), None),
        (UnfoldBooleanSwitchWidget(), True),
        (UnfoldBooleanSwitchWidget(), False),
        (forms.TextInput(attrs={"required": True, "disabled": False}), 'a "b" <c>'),
        (forms.HiddenInput(), "7"),
    ],
)
def test_a_compact_input_is_djangos_input_with_its_classes_as_a_token(widget, value):
    original = widget.render("form-0-x", value, {"id": "id_form-0-x"})
    compact = compact_widget(widget).render("form-0-x", value, {"id": "id_form-0-x"})
    classes = widget.attrs.get("class", "").strip()
    if classes:
        assert f'class="{token_for(classes)}"' in compact
        assert list_classes()[token_for(classes)] == " ".join(classes.split())
    assert _attributes(compact, without="class") == _attributes(original, without="class")


def test_a_widget_unfold_wraps_is_left_to_its_template():
    widget = UnfoldAdminTextInputWidget()  # unfold's text input: a wrapper for prefixes
    assert compact_widget(widget) is widget


def _attributes(html, without):
    """The tag's attributes, in any order (Django's template and ours order them differently)
    and however spaced, but ``without`` one."""
    html = html.strip()
    assert html.startswith("<input") and html.endswith(">") and html.count("<") == 1, html
    found = re.findall(r'([\w-]+)(?:="([^"]*)")?', html[len("<input") : -1])
    return sorted(pair for pair in found if pair[0] != without)


# What they save stays saved ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_read_only_value_is_looked_up_once_per_page(client_as, monkeypatch):
    calls = []
    original = OrderAdmin.shipment_info

    def counted(self, order):
        calls.append(order.pk)
        return original(self, order)

    counted.short_description = original.short_description
    monkeypatch.setattr(OrderAdmin, "shipment_info", counted)
    order = OrderFactory()
    OrderItemFactory(order=order)
    response = client_as("support").get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    assert calls == [order.pk]  # unfold alone: three times


class _FailedLookups:
    def __init__(self, monkeypatch):
        self.names = []
        original = template_base.Variable._resolve_lookup

        def resolve(variable, context):
            try:
                return original(variable, context)
            except template_base.VariableDoesNotExist:
                self.names.append(variable.var)
                raise

        monkeypatch.setattr(template_base.Variable, "_resolve_lookup", resolve)


@pytest.mark.django_db
def test_unfolds_templates_find_the_names_they_read(client_as, monkeypatch):
    # Each name a template misses costs an exception and a dir() of its object: the names
    # read on every row of a product's variants, and on every entry of the sidebar, are there.
    product = ProductFactory()
    VariantFactory.create_batch(10, product=product)
    ProductImageFactory.create_batch(5, product=product)
    client = client_as("merchandising")
    failed = _FailedLookups(monkeypatch)
    response = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert response.status_code == 200
    for name in (
        "inline_admin_form.form.nested_formsets",
        "nested_inline",
        "adminform.model_admin.conditional_fields",
        "group.collapsible",
        "item.badge",
        "item.link_callback",
    ):
        assert name not in failed.names


@pytest.mark.django_db
def test_the_app_list_is_built_only_when_a_page_reads_it(client_as, monkeypatch):
    built = []
    lazy = unfold_sites.UnfoldAdminSite.get_app_list
    build = lazy.original

    def counted(site, request, app_label=None):
        built.append(request.path)
        return build(site, request, app_label)

    monkeypatch.setattr(lazy, "original", counted)
    client = client_as("support")
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert built == []  # the sidebar is our navigation; nothing read Django's app list
    assert client.get(reverse("admin:index")).status_code == 200
    assert built  # the dashboard's index does read it


@pytest.mark.django_db
def test_a_stock_list_of_100_rows_is_under_250_kb_and_names_its_classes_once(client_as):
    VariantFactory.create_batch(100, product=ProductFactory())
    response = client_as("warehouse").get(reverse("admin:catalog_productvariant_changelist"))
    html = response.content.decode()
    assert html.count('name="form-') >= 100 * 2  # stock and active, editable on every row
    assert len(response.content) < 250_000, len(response.content)
    row_token = token_for(" ".join(UNFOLD_CLASSES["ROW_CLASSES"]))
    assert html.count(f"{row_token}") >= 100 * 5
    assert html.count('id="mw-list-classes"') == 1
    assert (
        "before:content-[attr(data-label)]"
        not in html.split('id="result_list"')[1].split('id="mw-list-classes"')[0]
    )


# Compression ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_gzipped_with_a_fresh_csrf_token_each_time(client_as):
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_add")
    tokens = []
    for _ in range(2):
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.content).decode()
        tokens.append(set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)))
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]


@pytest.mark.django_db(transaction=True, databases=["default", "feed"])  # the feed's own link
def test_the_feed_and_downloads_are_not_gzipped_by_the_page_middleware(client, client_as):
    for colour in ("Plum", "Sand", "Navy", "Olive", "Ivory"):  # on the storefront
        product = ProductFactory(category=CategoryFactory(parent=CategoryFactory()))
        VariantFactory(product=product, color=colour, stock_available=4)
        ProductImageFactory(product=product, is_feature=True)
    response = client.get("/api/catalog/filters/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert len(response.content) >= 200  # long enough that gzip would have compressed it
    assert "Content-Encoding" not in response
    VariantFactory()
    download = client_as("warehouse").get(
        reverse("admin:catalog_productvariant_export_all_csv"),
        headers={"accept-encoding": "gzip"},
    )
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "Content-Encoding" not in download
    assert b"".join(download.streaming_content).count(b"\n") >= 2  # a header and a row


# Where the forms' one-time submission keys go (apps/toolkit/submissions/): two small copies
# (the list's form and the delete confirmations have no block of their own inside the form)
# and the blocks inside the password forms. An upgrade that changes them fails here.
PINNED_TEMPLATES.update(
    {
        "unfold/helpers/change_list_actions.html": "ac1d59b3ae5d7b49",
        "unfold/helpers/delete_submit_line.html": "70849abab731016f",
        "admin/auth/user/change_password.html": "e2ac5372b85e5c4b",
        "registration/password_change_form.html": "1f9348f747225330",
    }
)


KEYED_COPIES = ("unfold/helpers/change_list_actions.html", "unfold/helpers/delete_submit_line.html")


def test_the_copies_that_carry_a_submission_key_are_unfolds_but_for_the_key():
    ours = Path(__file__).resolve().parents[2] / "backoffice" / "templates"

    def body(text):
        text = re.sub(r"{% comment %}.*?{% endcomment %}", "", text, flags=re.DOTALL)
        lines = [line.strip() for line in text.splitlines()]
        return [line for line in lines if line and not line.startswith("{% load")]

    for name in (
        "unfold/helpers/change_list_actions.html",
        "unfold/helpers/delete_submit_line.html",
    ):
        copy = body((ours / name).read_text())
        assert "{% submission_key %}" in copy, name
        assert [line for line in copy if line != "{% submission_key %}"] == body(
            (UNFOLD / name).read_text()
        ), name


# backoffice/templates/unfold/helpers/: tabular_group.html and fieldset_row.html -------------

TABULAR = "unfold/helpers/edit_inline/tabular_group.html"
FIELDSET_ROW = "unfold/helpers/fieldset_row.html"
PINNED_TEMPLATES.update(
    {
        TABULAR: "99113732dbdac5a0",
        "unfold/helpers/edit_inline/tabular_field.html": "ab1aab4fedf9f270",
        "unfold/helpers/field_readonly_value.html": "a1d46fa2a26e3441",
        "unfold/helpers/fieldset_row_field.html": "ced3ff9fde1310dc",
    }
)


def _normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    # One-time keys: a new one each time a page is drawn.
    html = re.sub(r'name="_submission" value="[^"]+"', "", html)
    html = re.sub(r'data-submission="[^"]+"', "", html)
    html = re.sub(r'class="([^"]*)"', lambda m: " ".join(sorted(m.group(1).split())), html)
    return re.sub(r"\s+", "", html)


@pytest.fixture
def with_unfolds_tabular_group(settings, tmp_path):
    """Pages drawn with unfold's own tabular_group.html and fieldset_row.html before ours."""
    for name in (TABULAR, FIELDSET_ROW):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((UNFOLD / name).read_text())
    ours = settings.TEMPLATES

    def use(original: bool):
        engine = {**ours[0], "DIRS": [tmp_path, *ours[0]["DIRS"]] if original else ours[0]["DIRS"]}
        settings.TEMPLATES = [engine]

    return use


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["product", "new product", "order", "product with errors", "staff account"]
)
def test_form_lines_and_inline_rows_are_unfolds_byte_for_byte(
    client_as, with_unfolds_tabular_group, page
):
    product = ProductFactory()
    VariantFactory.create_batch(3, product=product)
    ProductImageFactory.create_batch(2, product=product)
    order = OrderFactory()
    OrderItemFactory.create_batch(2, order=order)
    coverage = CoverageLevelFactory()
    client = client_as("superuser")
    change = reverse("admin:catalog_product_change", args=[product.pk])

    def draw():
        if page == "product":
            return client.get(change)
        if page == "new product":
            return client.get(reverse("admin:catalog_product_add"))
        if page == "order":
            return client.get(reverse("admin:orders_order_change", args=[order.pk]))
        if page == "staff account":  # checkboxes, help texts, read-only dates
            return client.get(reverse("admin:users_user_change", args=[client.user.pk]))
        variant = {"sku": "", "size": 99, "color": "Plum", "coverage": coverage.pk}
        data = product_form(
            product.category, coverage, variants=[variant], slug="new-one", base_price="-1"
        )
        return client.post(reverse("admin:catalog_product_add"), data)

    with_unfolds_tabular_group(original=True)
    theirs = draw()
    with_unfolds_tabular_group(original=False)
    ours = draw()
    assert ours.status_code == theirs.status_code == 200
    assert ours.content != theirs.content  # drawn both ways, not twice the same
    assert _normalised(ours.content.decode()) == _normalised(theirs.content.decode())
    if page == "product with errors":  # the row's own error, and the form's
        assert re.search(r'field-size[^"]*errors', ours.content.decode())
        assert ours.context["adminform"].form.errors["base_price"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("support", "admin:orders_order_changelist"),
        ("warehouse", "admin:catalog_productvariant_changelist"),
        ("merchandising", "admin:catalog_product_changelist"),
    ],
)
def test_rows_drawn_at_once_are_the_templates_rows(client_as, monkeypatch, role, url):
    VariantFactory.create_batch(3, product=ProductFactory())
    for _ in range(3):
        OrderItemFactory(order=OrderFactory())
    client = client_as(role)
    drawn = client.get(reverse(url))
    assert drawn.context["results"][0].html  # the rows came drawn
    draw_rows = list_cells.draw_rows

    def template_only(data):
        data = draw_rows(data)
        for row in data["results"]:
            row.html = ""
        return data

    monkeypatch.setattr(list_cells, "draw_rows", template_only)
    templated = client.get(reverse(url))
    assert not templated.context["results"][0].html
    assert _normalised(drawn.content.decode()) == _normalised(templated.content.decode())
