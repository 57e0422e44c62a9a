"""Role × catalog admin page × method: each role gets exactly what its work needs."""

import pytest
from django.urls import reverse

from apps.users.roles import ROLE_PERMISSIONS
from tests.factories import CategoryFactory, CoverageLevelFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

ROLES = {"merchandising": "Merchandising", "warehouse": "Warehouse", "support": "Support"}
MODELS = ["category", "coveragelevel", "product", "productvariant"]
FACTORIES = {
    "category": CategoryFactory,
    "coveragelevel": CoverageLevelFactory,
    "product": ProductFactory,
    "productvariant": VariantFactory,
}


def allowed(role, model, action):
    if role == "no_role":
        return False
    return action in ROLE_PERMISSIONS[ROLES[role]].get(f"catalog.{model}", ())


def pages(model, obj):
    base = f"admin:catalog_{model}"
    return {
        "view": [reverse(f"{base}_changelist"), reverse(f"{base}_change", args=[obj.pk])],
        "add": [reverse(f"{base}_add")],
        "delete": [reverse(f"{base}_delete", args=[obj.pk])],
    }


@pytest.mark.parametrize("role", [*ROLES, "no_role"])
@pytest.mark.parametrize("model", MODELS)
def test_get_pages_follow_the_role_table(client_as, role, model):
    client = client_as(role)
    obj = FACTORIES[model]()
    for action, urls in pages(model, obj).items():
        for url in urls:
            status = client.get(url).status_code
            expected = 200 if allowed(role, model, action) else 403
            if role == "no_role" and action == "view" and url.endswith("/change/"):
                expected = 403
            assert status == expected, f"{role} GET {url}: {status}, expected {expected}"


@pytest.mark.parametrize("role", [*ROLES, "no_role"])
def test_only_merchandising_may_post_product_changes(client_as, role):
    client = client_as(role)
    product = ProductFactory(name="Linen Abaya")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = client.post(url, {"name": "Renamed"})
    if role == "merchandising":
        assert response.status_code == 200  # the form comes back with errors: fields missing
    else:
        assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Linen Abaya"


def test_a_staff_member_without_a_role_sees_an_empty_admin(client_as):
    response = client_as("no_role").get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["available_apps"] == []
    assert b"Products" not in response.content


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("merchandising", ["Categories", "Products", "Outfits"], ["Orders", "Roles"]),
        ("warehouse", ["Stock by variant", "Low stock"], ["Orders", "Customers", "Roles"]),
        ("support", ["Orders", "Customers", "Products"], ["Roles", "Staff accounts"]),
        ("superuser", ["Products", "Orders", "Roles", "Staff accounts"], []),
    ],
)
def test_the_sidebar_shows_each_role_its_work(client_as, role, visible, hidden):
    from backoffice.navigation import sidebar

    request = type("Request", (), {"user": client_as(role).user})()
    titles = [item["title"] for group in sidebar(request) for item in group["items"]]
    assert set(visible) <= set(titles)
    assert not set(hidden) & set(titles)
