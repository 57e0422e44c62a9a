import pytest
from django.urls import reverse

from apps.outfits.models import Outfit
from tests.actors import system
from tests.factories import (
    OutfitFactory,
    OutfitItemFactory,
    ProductFactory,
    ProductImageFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:outfits_outfit_changelist")


def sellable(price="10.00", stock=5):
    product = ProductFactory(base_price=price)
    VariantFactory(product=product, stock_available=stock)
    ProductImageFactory(product=product, is_feature=True)
    return product


def outfit_form(outfit, products):
    data = {
        "name": outfit.name,
        "description": "",
        "user": outfit.user_id,
        "is_public": "on",
        "items-TOTAL_FORMS": len(products),
        "items-INITIAL_FORMS": 0,
    }
    for index, product in enumerate(products):
        data[f"items-{index}-product"] = product.pk
        data[f"items-{index}-position"] = index
    return data


def test_the_list_shows_owner_items_total_and_previews(client_as):
    outfit = OutfitFactory(is_public=True)
    for position, price in enumerate(["10.00", "25.50"]):
        OutfitItemFactory(outfit=outfit, product=sellable(price), position=position)
    response = client_as("merchandising").get(CHANGELIST)
    [row] = response.context["cl"].result_list
    assert (row.shown_items, row.shown_total) == (2, 35.5)
    html = response.content.decode()
    assert outfit.user.email in html and html.count('width="32" height="40"') == 2


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (1, "An outfit has 2 to 10 products; this one has 1."),
        (11, "An outfit has 2 to 10 products; this one has 11."),
    ],
)
def test_an_outfit_has_two_to_ten_products(client_as, count, message):
    outfit = OutfitFactory()
    products = [sellable() for _ in range(count)]
    response = client_as("merchandising").post(
        reverse("admin:outfits_outfit_change", args=[outfit.pk]), outfit_form(outfit, products)
    )
    assert message in response.content.decode()
    assert outfit.items.count() == 0


def test_products_must_be_distinct_and_on_sale(client_as):
    client = client_as("merchandising")
    outfit = OutfitFactory()
    url = reverse("admin:outfits_outfit_change", args=[outfit.pk])
    same = sellable()
    twice = client.post(url, outfit_form(outfit, [same, same])).content.decode()
    assert "Please correct the duplicate data for product" in twice
    off_sale = ProductFactory(name="Retired Cape")
    VariantFactory(product=off_sale, is_active=False)
    html = client.post(url, outfit_form(outfit, [same, off_sale])).content.decode()
    assert "no active variant" in html and "Retired Cape" in html
    assert client.post(url, outfit_form(outfit, [same, sellable()])).status_code == 302
    assert list(outfit.items.values_list("position", flat=True)) == [0, 1]


def test_public_private_actions_and_the_moderation_view(client_as):
    client = client_as("merchandising")
    good = OutfitFactory(is_public=False)
    for _ in range(2):
        OutfitItemFactory(outfit=good, product=sellable())
    lonely = OutfitFactory(is_public=False)
    OutfitItemFactory(outfit=lonely, product=sellable())
    response = client.post(
        CHANGELIST,
        {"action": "make_public", "_selected_action": [good.pk, lonely.pk]},
        follow=True,
    )
    assert "1 outfit made public. 1 left private" in response.content.decode()
    assert list(Outfit.objects.filter(is_public=True)) == [good]
    OutfitItemFactory(outfit=good, product=sellable(stock=0))  # sold out is still shown
    assert not client.get(CHANGELIST, {"moderation": "problems"}).context["cl"].result_list
    retired = sellable()
    OutfitItemFactory(outfit=good, product=retired)
    retired.variants.update(is_active=False)
    flagged = client.get(CHANGELIST, {"moderation": "problems"}).context["cl"].result_list
    assert list(flagged) == [good]
    assert "1 of its products not shown" in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "make_private", "_selected_action": [good.pk]})
    assert not Outfit.objects.filter(is_public=True).exists()


def test_an_outfit_with_an_unsellable_product_cannot_be_made_public(client_as):
    from apps.outfits.services import outfit_set_public

    outfit = OutfitFactory(is_public=False)
    OutfitItemFactory(outfit=outfit, product=sellable())
    retired = ProductFactory(name="Retired Cape")
    VariantFactory(product=retired, is_active=False)
    OutfitItemFactory(outfit=outfit, product=retired)
    changed, refused = outfit_set_public(outfits=Outfit.objects.all(), public=True, actor=system())
    assert changed == 0 and "Retired Cape" in refused[0]
    assert not Outfit.objects.get(pk=outfit.pk).is_public
