"""The product form's category picker: paths, hidden categories marked, not chosen for new
products."""

import pytest
from django.urls import reverse

from apps.catalog.models import Product
from tests.catalog.test_product_admin import product_form
from tests.factories import CategoryFactory, CoverageLevelFactory, ProductFactory

pytestmark = pytest.mark.django_db
PICKER = reverse("admin:catalog_product_category_picker")
ADD = reverse("admin:catalog_product_add")


@pytest.fixture
def tree():
    clothing = CategoryFactory(name="Clothing")
    dresses = CategoryFactory(name="Dresses", parent=clothing)
    evening = CategoryFactory(name="Evening", parent=dresses)
    sale = CategoryFactory(name="Sale", is_active=False)
    last_season = CategoryFactory(name="Last season", parent=sale)  # hidden by its parent
    return {c.name: c for c in (clothing, dresses, evening, sale, last_season)}


def picked(client, **params):
    response = client.get(PICKER, params)
    assert response.status_code == 200, response.content
    return [(row["text"], row["disabled"]) for row in response.json()["results"]]


def test_the_picker_lists_paths_in_tree_order_with_hidden_ones_marked(client_as, tree):
    assert picked(client_as("merchandising")) == [
        ("Clothing", False),
        ("Clothing › Dresses", False),
        ("Clothing › Dresses › Evening", False),
        ("Sale (hidden from the storefront)", False),
        ("Sale › Last season (hidden from the storefront)", False),
    ]


def test_for_a_new_product_hidden_categories_are_shown_but_not_selectable(client_as, tree):
    rows = dict(picked(client_as("merchandising"), new="1"))
    assert rows["Clothing › Dresses"] is False
    assert rows["Sale (hidden from the storefront)"] is True
    assert rows["Sale › Last season (hidden from the storefront)"] is True


def test_the_picker_finds_part_of_a_path_in_any_case(client_as, tree):
    client = client_as("merchandising")
    for term in ("DRESSES › eve", "dresses > eve", "clothing evening", "eve dress"):
        assert [text for text, _ in picked(client, term=term)] == [
            "Clothing › Dresses › Evening"
        ], term
    assert [text for text, _ in picked(client, term="season")] == [
        "Sale › Last season (hidden from the storefront)"
    ]
    assert picked(client, term="\tdresses\u200b ") == picked(client, term="dresses")
    assert client.get(PICKER, {"term": "dress\x00"}).status_code == 400  # NUL: refused whole


def test_the_picker_pages_and_refuses_a_page_that_is_not_a_number(client_as):
    for number in range(25):
        CategoryFactory(name=f"Range {number:02}")
    client = client_as("merchandising")
    first = client.get(PICKER, {"page": "1"}).json()
    second = client.get(PICKER, {"page": "2"}).json()
    assert (len(first["results"]), first["pagination"]["more"]) == (20, True)
    assert (len(second["results"]), second["pagination"]["more"]) == (5, False)
    for page in ("0", "-1", "١", "x", "9" * 30):
        response = client.get(PICKER, {"page": page})
        assert response.status_code == 400 and "page" in response.json()["error"]


def test_a_new_product_cannot_be_put_in_a_hidden_category(client_as, tree):
    client = client_as("merchandising")
    data = product_form(tree["Last season"], CoverageLevelFactory())
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert (
        "is hidden from the storefront" in response.context["adminform"].form.errors["category"][0]
    )
    assert not Product.objects.filter(slug=data["slug"]).exists()
    response = client.post(ADD, {**data, "category": tree["Evening"].pk})
    assert response.status_code == 302
    assert Product.objects.get(slug=data["slug"]).category == tree["Evening"]


def test_a_product_already_in_a_hidden_category_keeps_it_and_shows_its_path(client_as, tree):
    product = ProductFactory(category=tree["Last season"], name="Old Abaya")
    client = client_as("merchandising")
    change = reverse("admin:catalog_product_change", args=[product.pk])
    html = client.get(change).content.decode()
    assert "Sale › Last season (hidden from the storefront)" in html
    assert f'data-ajax--url="{PICKER}"' in html  # not new: hidden ones stay selectable
    assert f'data-ajax--url="{PICKER}?new=1"' in client.get(ADD).content.decode()
    data = product_form(tree["Last season"], CoverageLevelFactory(), name="Old Abaya")
    data.update(slug=product.slug, base_price__seen=str(product.base_price))
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
