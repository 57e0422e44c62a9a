import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.catalog.models import Product, ProductImage, ProductVariant
from tests.factories import (
    CategoryFactory,
    CoverageLevelFactory,
    OrderItemFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
    WishlistFactory,
)
from tests.race import meanwhile

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:catalog_product_changelist"


def jpeg(name="abaya.jpg", size=(900, 1200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#6d597a").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def product_form(category, coverage, *, variants=(), images=(), **fields):
    data = {
        "name": "Pleated Chiffon Abaya",
        "slug": "pleated-chiffon-abaya",
        "category": category.pk,
        "coverage_level": coverage.pk,
        "base_price": "89.50",
        "description": "Light chiffon, pleated from the yoke.",
        **fields,
    }
    for prefix, rows in (("variants", variants), ("images", images)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def listed(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {product.name for product in response.context["cl"].result_list}


def test_merchandising_creates_a_product_with_variants_and_a_feature_image(client_as):
    client = client_as("merchandising")
    category, coverage = CategoryFactory(), CoverageLevelFactory()
    variants = [
        {
            "sku": "PCA-S-PLM",
            "size": 1,
            "color": "Plum",
            "coverage": coverage.pk,
            "is_active": "on",
        },
        {
            "sku": "PCA-M-PLM",
            "size": 2,
            "color": "Plum",
            "coverage": coverage.pk,
            "is_active": "on",
        },
    ]
    images = [{"image": jpeg(), "is_feature": "on", "position": 0}]
    response = client.post(
        reverse("admin:catalog_product_add"),
        product_form(category, coverage, variants=variants, images=images),
    )
    assert response.status_code == 302, response.context["errors"]
    product = Product.objects.get(slug="pleated-chiffon-abaya")
    assert sorted(product.variants.values_list("sku", "stock_available")) == [
        ("PCA-M-PLM", 0),
        ("PCA-S-PLM", 0),
    ]
    image = product.images.get()
    assert image.is_feature
    with Image.open(image.thumbnail.open()) as thumb:
        assert thumb.size[0] <= 320 and thumb.size[1] <= 400
    assert product.history.first().history_user == client.user


def test_without_a_chosen_feature_image_the_first_one_is_it(client_as):
    client = client_as("merchandising")
    category, coverage = CategoryFactory(), CoverageLevelFactory()
    images = [
        {"image": jpeg(f"{n}.jpg"), "is_feature": "", "position": position}
        for n, position in enumerate([1, 0])
    ]
    response = client.post(
        reverse("admin:catalog_product_add"), product_form(category, coverage, images=images)
    )
    assert response.status_code == 302
    product = Product.objects.get()
    feature = product.images.get(is_feature=True)
    assert feature.position == 0 and feature.image.name.endswith("1.jpg")  # first as ordered


def test_two_feature_images_are_refused(client_as):
    features = 2
    client = client_as("merchandising")
    category, coverage = CategoryFactory(), CoverageLevelFactory()
    images = [
        {"image": jpeg(f"{n}.jpg"), "is_feature": "on" if n < features else "", "position": n}
        for n in range(2)
    ]
    response = client.post(
        reverse("admin:catalog_product_add"), product_form(category, coverage, images=images)
    )
    assert response.status_code == 200
    assert "Mark exactly one image as the feature image" in response.content.decode()
    assert not Product.objects.exists() and not ProductImage.objects.exists()


def test_a_duplicate_sku_is_refused_on_the_form(client_as):
    client = client_as("merchandising")
    VariantFactory(sku="PCA-S-PLM")
    category, coverage = CategoryFactory(), CoverageLevelFactory()
    variants = [{"sku": "PCA-S-PLM", "size": 1, "color": "Plum", "is_active": "on"}]
    response = client.post(
        reverse("admin:catalog_product_add"), product_form(category, coverage, variants=variants)
    )
    assert response.status_code == 200
    assert "SKU already exists" in response.content.decode()
    assert not Product.objects.filter(slug="pleated-chiffon-abaya").exists()


@pytest.mark.parametrize("role", ["merchandising", "superuser"])
def test_nobody_changes_stock_through_the_product_inline(client_as, role):
    client = client_as(role)
    product = ProductFactory()
    variant = VariantFactory(product=product, stock_available=7)
    data = product_form(
        product.category, product.coverage_level, slug=product.slug, base_price=product.base_price
    )
    data.update(
        {
            "variants-TOTAL_FORMS": 1,
            "variants-INITIAL_FORMS": 1,
            "variants-0-id": variant.pk,
            "variants-0-product": product.pk,
            "variants-0-sku": variant.sku,
            "variants-0-size": variant.size,
            "variants-0-color": variant.color,
            "variants-0-stock_available": 500,
            "variants-0-is_active": "on",
        }
    )
    response = client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_available == 7


def test_changelist_columns(client_as, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    settings.SHOP_CURRENCY = "GBP"
    parent = CategoryFactory(name="Clothing")
    child = CategoryFactory(name="Dresses", parent=parent)
    product = ProductFactory(name="Maxi Dress", category=child, base_price=Decimal("59.00"))
    VariantFactory(product=product, stock_available=2)
    VariantFactory(product=product, stock_available=9, is_active=False)
    ProductImageFactory(product=product, is_feature=True)
    response = client_as("merchandising").get(reverse(CHANGELIST))
    [row] = response.context["cl"].result_list
    assert (row.category_path, row.total_stock, row.variant_total) == ("Clothing › Dresses", 2, 2)
    html = response.content.decode()
    assert "2 · Low" in html
    assert "£59.00" in html  # settings.SHOP_CURRENCY
    assert row.thumbnail_name.startswith("products/thumbnails/")
    # Featuring is a switch that saves as it is flipped, not an editable cell and a Save button.
    featured_url = reverse("admin:catalog_product_featured", args=[product.pk])
    assert f'data-instant-toggle="{featured_url}"' in html
    assert 'name="form-0-is_featured"' not in html and 'name="_save"' not in html


def test_the_featured_switch_saves_the_state_asked_for_once(client_as):
    product = ProductFactory(name="Maxi Dress", is_featured=False)
    url = reverse("admin:catalog_product_featured", args=[product.pk])
    client = client_as("merchandising")
    first = client.post(url, {"featured": "1"}).json()
    assert first.pop("next_key")  # the switch's key for its next flip
    assert first == {"featured": True, "message": "“Maxi Dress” is featured."}
    again = client.post(url, {"featured": "1"})  # a double click, or a second tab
    assert again.json()["message"] == "“Maxi Dress” is featured (it already was)."
    assert [h.history_change_reason for h in product.history.all()][:2] == ["Featured", None]
    assert product.history.count() == 2  # created, then featured once
    off = client.post(url, {"featured": "0"})
    assert off.json()["featured"] is False
    product.refresh_from_db()
    assert product.is_featured is False


@pytest.mark.parametrize("value", ["", "yes", "2", "1\x00", "١"])
def test_the_featured_switch_refuses_anything_but_0_or_1(client_as, value):
    product = ProductFactory(is_featured=False)
    url = reverse("admin:catalog_product_featured", args=[product.pk])
    response = client_as("merchandising").post(url, {"featured": value})
    assert response.status_code == 400 and "featured=1" in response.json()["error"]
    product.refresh_from_db()
    assert product.is_featured is False


def test_who_may_not_feature_sees_the_flag_and_no_switch(client_as):
    ProductFactory(name="Featured Abaya", is_featured=True)
    response = client_as("support").get(reverse(CHANGELIST))
    html = response.content.decode()
    assert response.status_code == 200 and "Featured Abaya" in html
    assert "data-instant-toggle" not in html


def test_filters(client_as, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    client = client_as("merchandising")
    clothing = CategoryFactory(name="Clothing")
    dresses = CategoryFactory(name="Dresses", parent=clothing)
    hijabs = CategoryFactory(name="Hijabs")
    full, light = CoverageLevelFactory(name="Full"), CoverageLevelFactory(name="Light")
    dress = ProductFactory(name="Dress", category=dresses, coverage_level=full, base_price=80)
    hijab = ProductFactory(name="Hijab", category=hijabs, coverage_level=light, base_price=15)
    tunic = ProductFactory(name="Tunic", category=clothing, coverage_level=full, base_price=40)
    VariantFactory(product=dress, stock_available=3)
    VariantFactory(product=hijab, stock_available=30)
    tunic.is_featured = True
    tunic.save()
    assert listed(client, category=clothing.pk) == {"Dress", "Tunic"}
    assert listed(client, category=dresses.pk) == {"Dress"}
    assert listed(client, coverage_level__id__exact=light.pk) == {"Hijab"}
    assert listed(client, is_featured__exact=1) == {"Tunic"}
    assert listed(client, base_price_from=30, base_price_to=90) == {"Dress", "Tunic"}
    assert listed(client, stock="low") == {"Dress"}
    assert listed(client, stock="out") == {"Tunic"}
    assert listed(client, stock="in") == {"Hijab"}


def test_search_is_full_text_or_an_exact_sku(client_as):
    client = client_as("support")
    dress = ProductFactory(name="Evening Dress", description="Long sleeves.")
    ProductFactory(name="Jersey Hijab", description="Everyday hijab.")
    VariantFactory(product=dress, sku="EVD-M-NVY")
    assert listed(client, q="dresses") == {"Evening Dress"}
    assert listed(client, q="sleeve") == {"Evening Dress"}
    assert listed(client, q="EVD-M-NVY") == {"Evening Dress"}
    assert listed(client, q="nothing-like-this") == set()


def test_feature_and_unfeature_actions_write_history(client_as):
    client = client_as("merchandising")
    products = ProductFactory.create_batch(3)
    ids = [p.pk for p in products]
    client.post(reverse(CHANGELIST), {"action": "feature", "_selected_action": ids})
    assert Product.objects.filter(is_featured=True).count() == 3
    assert products[0].history.first().history_change_reason == "Featured"
    client.post(reverse(CHANGELIST), {"action": "unfeature", "_selected_action": ids[:1]})
    featured = Product.objects.filter(is_featured=True).values_list("pk", flat=True)
    assert sorted(featured) == sorted(ids[1:])
    assert not Product.objects.get(pk=ids[0]).is_featured


def test_warehouse_sees_products_read_only(client_as):
    product = ProductFactory()
    response = client_as("warehouse").get(
        reverse("admin:catalog_product_change", args=[product.pk])
    )
    assert response.status_code == 200
    assert 'name="base_price"' not in response.content.decode()
    assert ProductVariant.objects.count() == 0


# Two people pricing one product; a negative price --------------------------------------------


def _product_post(product, price, seen):
    return {
        "name": product.name,
        "slug": product.slug,
        "category": product.category_id,
        "coverage_level": product.coverage_level_id,
        "base_price": price,
        "base_price__seen": seen,
        "description": product.description,
        "variants-TOTAL_FORMS": 0,
        "variants-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    }


def test_a_price_changed_meanwhile_is_not_overwritten(client_as):
    from decimal import Decimal

    from apps.catalog.models import Product

    product = ProductFactory(base_price=Decimal("79.00"))
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    assert 'name="base_price__seen" value="79.00"' in client.get(url).content.decode()
    # A colleague reprices it to 69.00 while this page is open.
    fresh = Product.objects.get(pk=product.pk)
    fresh.base_price = Decimal("69.00")
    fresh.save()
    response = client.post(url, _product_post(product, "75.00", "79.00"))
    assert response.status_code == 200
    assert "Base price went from 79.00 to 69.00 while you were editing" in (
        response.content.decode()
    )
    assert Product.objects.get(pk=product.pk).base_price == Decimal("69.00")


@pytest.mark.parametrize("seen", [None, "", "abc", "7,9.0", "sNaN", "NaN", "Infinity", "1e40"])
def test_a_price_without_a_readable_seen_value_is_not_saved(client_as, seen):
    from decimal import Decimal

    from apps.catalog.models import Product

    product = ProductFactory(base_price=Decimal("79.00"))
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = _product_post(product, "75.00", seen)
    if seen is None:
        del data["base_price__seen"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This page did not say which value it showed" in response.content.decode()
    assert Product.objects.get(pk=product.pk).base_price == Decimal("79.00")


def test_a_price_left_as_shown_keeps_a_colleagues_newer_price(client_as):
    from decimal import Decimal

    from apps.catalog.models import Product

    product = ProductFactory(base_price=Decimal("79.00"), name="Linen Abaya")
    client = client_as("merchandising")
    fresh = Product.objects.get(pk=product.pk)
    fresh.base_price = Decimal("69.00")
    fresh.save()
    data = _product_post(product, "79.00", "79.00")
    data["name"] = "Linen Abaya (new cut)"
    response = client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 302
    saved = Product.objects.get(pk=product.pk)
    assert (saved.name, saved.base_price) == ("Linen Abaya (new cut)", Decimal("69.00"))


def test_a_negative_price_is_refused_on_the_price_field(client_as):
    product = ProductFactory()
    response = client_as("merchandising").post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        _product_post(product, "-5.00", str(product.base_price)),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["base_price"] == ["A price cannot be negative."]
    assert "is violated" not in response.content.decode()


def test_a_price_survives_a_form_error_elsewhere(client_as):
    from decimal import Decimal

    from apps.catalog.models import Product

    product = ProductFactory(base_price=Decimal("89.00"))
    client = client_as("merchandising")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = _product_post(product, "59.00", "89.00")
    data["name"] = "N" * 500
    again = client.post(url, data).content.decode()
    assert 'name="base_price__seen" value="89.00"' in again
    data.update(name="Fixed name", base_price__seen="89.00")
    assert client.post(url, data).status_code == 302
    assert Product.objects.get(pk=product.pk).base_price == Decimal("59.00")


def test_a_product_made_by_mistake_is_deleted_with_its_variants_and_images(client_as):
    client = client_as("merchandising")
    product = ProductFactory()
    VariantFactory.create_batch(2, product=product)
    ProductImageFactory(product=product, is_feature=True)
    WishlistFactory(variant=product.variants.first())
    url = reverse("admin:catalog_product_delete", args=[product.pk])
    page = client.get(url).content.decode()
    assert "doesn’t have permission" not in page and "permission to delete" not in page
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not ProductVariant.objects.filter(product_id=product.pk).exists()
    assert ProductVariant.history.filter(product_id=product.pk, history_type="-").count() == 2


def test_a_product_that_sold_is_kept_and_archived_instead(client_as):
    from apps.feed.visibility import visible_products

    client = client_as("merchandising")
    product = ProductFactory()
    sold = VariantFactory(product=product)
    VariantFactory(product=product)
    OrderItemFactory(variant=sold)
    url = reverse("admin:catalog_product_delete", args=[product.pk])
    page = client.get(url).content.decode()
    assert "it is kept for its orders" in page and "Archive" in page
    client.post(url, {"post": "yes"})
    assert Product.objects.filter(pk=product.pk).exists()
    response = client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "archive", "_selected_action": [product.pk]},
        follow=True,
    )
    assert "2 variants deactivated" in response.content.decode()
    assert not product.variants.filter(is_active=True).exists()
    assert not visible_products().filter(pk=product.pk).exists()
    assert sold.history.order_by("-history_id").first().history_change_reason == (
        "Archived with its product"
    )


def test_images_keep_the_dragged_order_and_the_storefront_still_leads_with_the_feature(
    client_as,
):
    from apps.feed.selectors import IMAGE_ORDER

    client = client_as("merchandising")
    product = ProductFactory()
    feature = ProductImageFactory(product=product, is_feature=True, position=1)
    dragged_first = ProductImageFactory(product=product, is_feature=False, position=0)
    page = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    formset = next(f for f in page.context["inline_admin_formsets"] if f.opts.model is ProductImage)
    assert [form.instance.pk for form in formset.formset.forms] == [dragged_first.pk, feature.pk]
    storefront = list(product.images.order_by(*IMAGE_ORDER).values_list("pk", flat=True))
    assert storefront == [feature.pk, dragged_first.pk]


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_new_slug_at_once_end_in_a_form_error_not_a_500(
    client_as, monkeypatch
):
    """The form finds the slug free, then a colleague's save (or the first of a double
    click) takes it before this one writes: the database refuses, and the page says why with
    what was typed still in the form."""
    client = client_as("merchandising")
    category, coverage = CategoryFactory(), CoverageLevelFactory()
    data = product_form(category, coverage, name="Pleated Abaya", slug="pleated-abaya")
    checks = []
    original = Product.validate_unique

    def racing(self, exclude=None):
        if not checks:  # the other save commits right after this first check
            checks.append(True)
            meanwhile(lambda: ProductFactory(slug="pleated-abaya", name="The colleague's abaya"))
            return None
        return original(self, exclude)

    monkeypatch.setattr(Product, "validate_unique", racing)
    response = client.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "Product with this Slug already exists."
    ]
    assert 'value="Pleated Abaya"' in response.content.decode()
    assert list(Product.objects.values_list("name", flat=True)) == ["The colleague's abaya"]
