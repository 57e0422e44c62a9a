import pytest
from django.urls import reverse

from tests.factories import (
    CategoryFactory,
    CoverageLevelFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("admin:catalog_cataloghealth_changelist")


def healthy(name, category=None):
    product = ProductFactory(
        name=name, category=category or CategoryFactory(), coverage_level=CoverageLevelFactory()
    )
    VariantFactory(product=product)
    ProductImageFactory(product=product, is_feature=True)
    return product


def test_every_product_the_storefront_cannot_show_and_why(client_as):
    healthy("Fine")
    archive = CategoryFactory(is_active=False)
    healthy("In hidden tree", category=CategoryFactory(parent=archive))
    no_variant = ProductFactory(name="No variant")
    ProductImageFactory(product=no_variant, is_feature=True)
    inactive = healthy("Only inactive")
    inactive.variants.update(is_active=False)
    no_image = ProductFactory(name="No image")
    VariantFactory(product=no_image)
    bare = healthy("No coverage")
    bare.coverage_level = None
    bare.save()
    client = client_as("merchandising")
    response = client.get(URL)
    rows = {p.name: p for p in response.context["cl"].result_list}
    assert set(rows) == {"In hidden tree", "No variant", "Only inactive", "No image", "No coverage"}
    html = response.content.decode()
    assert "its category or a parent category is hidden" in html
    assert "no active variant" in html and "shown without a picture" in html
    assert "shown without a coverage level" in html
    assert reverse("admin:catalog_product_change", args=[no_image.pk]) in html
    assert "5 products needing attention" in " ".join(html.split())  # not "5 catalog health"
    only = client.get(URL, {"reason": "no_image"}).context["cl"].result_list
    assert [p.name for p in only] == ["No image"]


@pytest.mark.parametrize(("role", "status"), [("merchandising", 200), ("warehouse", 403)])
def test_catalog_health_is_for_merchandising(client_as, role, status):
    assert client_as(role).get(URL).status_code == status


def test_each_row_opens_the_products_editor_and_the_category_that_hides_it(client_as):
    hidden_own = CategoryFactory(is_active=False, name="Old season")
    in_hidden_own = healthy("Own category hidden", category=hidden_own)
    parent = CategoryFactory(is_active=False, name="Archive")
    in_hidden_parent = healthy("Parent hidden", category=CategoryFactory(parent=parent))
    html = client_as("merchandising").get(URL).content.decode()
    for product in (in_hidden_own, in_hidden_parent):
        editor = reverse("admin:catalog_product_change", args=[product.pk])
        assert f'href="{editor}">{product.name}</a>' in html
        assert reverse("admin:catalog_cataloghealth_change", args=[product.pk]) not in html
    own = reverse("admin:catalog_category_change", args=[hidden_own.pk])
    assert f'href="{own}">Category “Old season”</a>' in html
    hidden_list = reverse("admin:catalog_category_changelist") + "?is_active__exact=0"
    assert f'href="{hidden_list}">Hidden parent categories</a>' in html
