"""Every endpoint and field of the storefront contract, validated against its schema."""

import json
from decimal import Decimal

import pytest

from apps.feed import schemas

pytestmark = pytest.mark.django_db(databases=["default", "feed"])
PRODUCTS = "/api/catalog/products/"


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    return response, json.loads(response.content)


def slugs(page):
    return [product["slug"] for product in page["results"]]


def test_product_list_matches_the_contract(client, shop):
    response, page = get(client, PRODUCTS)
    assert response.status_code == 200
    schemas.ProductPage.model_validate(page)
    assert page["count"] == 3 and page["next"] is None and page["previous"] is None
    gown = next(p for p in page["results"] if p["slug"] == "evening-gown")
    assert gown["base_price"] == "1299.99"
    assert gown["category"] == {
        "id": shop["categories"]["evening-dresses"].pk,
        "name": "Evening Dresses",
        "slug": "evening-dresses",
    }
    assert gown["coverage_level"]["name"] == "Full Coverage"
    assert gown["date_added"].endswith("Z")
    assert gown["images"][0]["is_feature"] is True and len(gown["images"]) == 2
    assert gown["images"][0]["image"].startswith("http://testserver/media/")
    assert gown["images"][0]["thumbnail"].startswith("http://testserver/media/products/thumb")
    assert gown["variants"] == [
        {
            "id": gown["variants"][0]["id"],
            "sku": "GWN-M-BLK",
            "size": "M",
            "color": "Black",
            "stock_available": 4,
            "is_active": True,
        }
    ]
    tunic = next(p for p in page["results"] if p["slug"] == "linen-tunic")
    assert tunic["coverage_level"] is None


def test_product_detail_carries_the_category_parent(client, shop):
    gown = shop["products"]["evening-gown"]
    response, body = get(client, f"{PRODUCTS}{gown.pk}/")
    schemas.ProductDetailOut.model_validate(body)
    assert body["category"]["parent"] == {
        "id": shop["categories"]["dresses"].pk,
        "name": "Dresses",
        "slug": "dresses",
    }
    tunic = shop["products"]["linen-tunic"]
    assert get(client, f"{PRODUCTS}{tunic.pk}/")[1]["category"]["parent"] is None


@pytest.mark.parametrize("which", ["old-coat", None])
def test_hidden_or_unknown_products_are_404_with_json(client, shop, which):
    pk = shop["products"][which].pk if which else 999_999
    response, body = get(client, f"{PRODUCTS}{pk}/")
    assert response.status_code == 404 and "detail" in body


def test_category_tree_is_active_nested_and_hides_inactive_subtrees(client, shop):
    response, tree = get(client, "/api/catalog/categories/")
    for node in tree:
        schemas.CategoryNode.model_validate(node)
    assert [n["slug"] for n in tree] == ["clothing"]
    dresses = tree[0]["children"][0]
    assert dresses["slug"] == "dresses" and dresses["parent"] == tree[0]["id"]
    assert dresses["children"][0]["slug"] == "evening-dresses"
    assert "archive" not in response.content.decode()


def test_filters_are_computed_from_what_is_visible(client, shop):
    _, body = get(client, "/api/catalog/filters/")
    schemas.FiltersOut.model_validate(body)
    assert [c["slug"] for c in body["categories"]] == ["clothing", "dresses", "evening-dresses"]
    assert [c["name"] for c in body["coverage_levels"]] == ["Full Coverage", "Light Coverage"]
    assert body["sizes"] == ["S", "M"]  # the inactive L is not offered
    assert body["colors"] == ["Black", "Navy", "Sand"]  # not the inactive Grey
    assert body["price_range"] == {"min": 35.5, "max": 1299.99}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "clothing"}, {"evening-gown", "maxi-dress", "linen-tunic"}),
        ({"category": "dresses"}, {"evening-gown", "maxi-dress"}),
        ({"category": "evening-dresses"}, {"evening-gown"}),
        ({"coverage_level": "full"}, {"evening-gown"}),
        ({"coverage_level": "LIGHT"}, {"maxi-dress"}),
        ({"min_price": "59.00"}, {"evening-gown", "maxi-dress"}),
        ({"max_price": "59"}, {"maxi-dress", "linen-tunic"}),
        ({"min_price": "35.50", "max_price": "35.50"}, {"linen-tunic"}),
        ({"search": "dress"}, {"evening-gown", "maxi-dress"}),
        ({"search": "evenings"}, {"evening-gown"}),
        ({"search": "nothing matches"}, set()),
        # Additions (README, "The feed"): backward compatible, each optional.
        ({"size": "M"}, {"evening-gown", "linen-tunic"}),  # not the gown's inactive L
        ({"size": "L"}, set()),
        ({"size": ["S", "m"]}, {"evening-gown", "maxi-dress", "linen-tunic"}),
        ({"color": "Navy"}, {"maxi-dress"}),
        ({"color": ["Navy", "Sand"]}, {"maxi-dress", "linen-tunic"}),
        ({"color": "Grey"}, set()),  # only on an inactive variant
        ({"size": "M", "color": "Navy"}, set()),  # one variant must have both
        ({"featured": "true"}, {"maxi-dress"}),
        ({"featured": "false"}, {"evening-gown", "linen-tunic"}),
        ({"in_stock": "true"}, {"evening-gown", "maxi-dress"}),
        ({"in_stock": "false"}, {"linen-tunic"}),
        ({"coverage_level": "full-coverage"}, {"evening-gown"}),
    ],
)
def test_each_filter(client, shop, params, expected):
    shop["products"]["maxi-dress"].__class__.objects.filter(slug="maxi-dress").update(
        is_featured=True
    )
    assert set(slugs(get(client, PRODUCTS, **params)[1])) == expected


def test_coverage_level_by_id(client, shop):
    level = shop["levels"]["light"]
    assert slugs(get(client, PRODUCTS, coverage_level=str(level.pk))[1]) == ["maxi-dress"]


def test_each_product_says_whether_it_is_in_stock(client, shop):
    flags = {p["slug"]: p["in_stock"] for p in get(client, PRODUCTS)[1]["results"]}
    assert flags == {"evening-gown": True, "maxi-dress": True, "linen-tunic": False}


def test_a_product_by_its_slug(client, shop):
    gown = shop["products"]["evening-gown"]
    response, body = get(client, f"{PRODUCTS}by-slug/evening-gown/")
    assert response.status_code == 200
    assert body == get(client, f"{PRODUCTS}{gown.pk}/")[1]
    for hidden in ("old-coat", "ghost-scarf", "no-such-product"):
        response, body = get(client, f"{PRODUCTS}by-slug/{hidden}/")
        assert response.status_code == 404 and body["detail"]


def test_the_filters_offer_exactly_what_the_list_accepts(client, shop):
    offered = get(client, "/api/catalog/filters/")[1]
    choices = (
        [("category", c["slug"]) for c in offered["categories"]]
        + [("coverage_level", c["slug"]) for c in offered["coverage_levels"]]
        + [("coverage_level", str(c["id"])) for c in offered["coverage_levels"]]
        + [("size", size) for size in offered["sizes"]]
        + [("color", color) for color in offered["colors"]]
    )
    for name, value in choices:
        response, page = get(client, PRODUCTS, **{name: value})
        assert response.status_code == 200 and page["count"] >= 1, (name, value)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["linen-tunic", "maxi-dress", "evening-gown"]),
        ("-price", ["evening-gown", "maxi-dress", "linen-tunic"]),
        ("date_added", ["evening-gown", "maxi-dress", "linen-tunic"]),
        ("-date_added", ["linen-tunic", "maxi-dress", "evening-gown"]),
    ],
)
def test_each_ordering(client, shop, ordering, expected):
    assert slugs(get(client, PRODUCTS, ordering=ordering)[1]) == expected


def test_default_order_is_newest_first(client, shop):
    assert slugs(get(client, PRODUCTS)[1]) == ["linen-tunic", "maxi-dress", "evening-gown"]


def test_pagination_links(client, shop):
    _, first = get(client, PRODUCTS, page_size=2)
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["next"] == "http://testserver/api/catalog/products/?page_size=2&page=2"
    _, second = get(client, PRODUCTS, page_size=2, page=2)
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/catalog/products/?page_size=2&page=1"
    assert slugs(first) + slugs(second) == slugs(get(client, PRODUCTS)[1])


def test_outfits_list_and_detail(client, shop):
    _, page = get(client, "/api/outfits/public/")
    schemas.OutfitPage.model_validate(page)
    assert page["count"] == 1
    outfit = page["results"][0]
    assert outfit["name"] == "Summer Modest Style"
    assert outfit["created_by"] == {"username": "fatima", "profile_picture_url": None}
    # The hidden product's item is not shown, counted or priced.
    assert outfit["items_count"] == 3
    assert outfit["total_price"] == str(Decimal("59.00") + Decimal("1299.99") + Decimal("35.50"))
    assert len(outfit["preview_images"]) == 3
    assert all(
        url.startswith("http://testserver/media/products/thumb") for url in outfit["preview_images"]
    )
    _, detail = get(client, f"/api/outfits/{outfit['id']}/")
    schemas.OutfitDetailOut.model_validate(detail)
    assert [item["product"]["slug"] for item in detail["items"]] == [
        "maxi-dress",
        "evening-gown",
        "linen-tunic",
    ]
    assert [item["position"] for item in detail["items"]] == [0, 1, 2]
    assert detail["preview_images"] == outfit["preview_images"]


def test_outfit_search_and_ordering(client, shop):
    assert get(client, "/api/outfits/public/", search="summer")[1]["count"] == 1
    assert get(client, "/api/outfits/public/", search="winter")[1]["count"] == 0
    assert get(client, "/api/outfits/public/", ordering="created_at")[1]["count"] == 1


def test_a_private_outfit_is_404(client, shop):
    response, body = get(client, f"/api/outfits/{shop['outfits']['private'].pk}/")
    assert response.status_code == 404 and body["detail"]


def test_no_personal_data_anywhere(client, shop):
    urls = [
        PRODUCTS,
        "/api/catalog/categories/",
        "/api/catalog/filters/",
        "/api/outfits/public/",
        f"/api/outfits/{shop['outfits']['public'].pk}/",
    ]
    for url in urls:
        text = client.get(url).content.decode()
        assert "fatima@example.com" not in text and "07700900555" not in text
        assert "@" not in text  # no e-mail address of any kind


def test_openapi_document_and_docs(client):
    document = client.get("/api/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/catalog/products/",
        "/api/catalog/products/{product_id}/",
        "/api/catalog/products/by-slug/{slug}/",
        "/api/catalog/categories/",
        "/api/catalog/filters/",
        "/api/outfits/public/",
        "/api/outfits/{outfit_id}/",
    }
    for path, operations in document["paths"].items():
        # Each operation once (it answers HEAD too), every error declared as JSON.
        assert list(operations) == ["get"], path
        assert {"400", "404", "405"} <= set(operations["get"]["responses"]), path
        for parameter in operations["get"].get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize("ordering", ["price", "-price", "date_added", "-date_added"])
def test_the_unfiltered_list_and_a_filtered_one_agree(client, shop, ordering):
    # The unfiltered list runs SQL compiled once per process; any filter goes through the
    # ORM. A filter every product passes must give the same pages.
    for page in (1, 2):
        plain = get(client, PRODUCTS, ordering=ordering, page_size=2, page=page)[1]
        filtered = get(client, PRODUCTS, ordering=ordering, page_size=2, page=page, min_price=0)[1]
        assert plain["results"] == filtered["results"] and plain["count"] == filtered["count"]


def test_page_links_keep_repeated_parameters(client, shop):
    _, first = get(client, PRODUCTS, size=["S", "M"], page_size=1)
    assert first["count"] == 3
    _, second = get(client, first["next"].removeprefix("http://testserver"))
    assert second["count"] == 3 and "size=S" in first["next"] and "size=M" in first["next"]
