"""Every registered admin × role × view/add/change/delete, and every custom action.

Expectations are written out here rather than derived from the role table, so that a change
to a role, an admin's permission hooks or an action's guard shows up as a failing row.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    CartItemFactory,
    CategoryFactory,
    CoverageLevelFactory,
    OrderFactory,
    OutfitFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    WishlistFactory,
)

pytestmark = pytest.mark.django_db
ROLES = ["superuser", "merchandising", "warehouse", "support", "no_role"]
S, M, W, P, N = "superuser", "merchandising", "warehouse", "support", "no_role"

# model -> operation -> roles allowed ("view" covers the changelist and the change page).
MATRIX = {
    "catalog.category": {"view": {S, M, W, P}, "add": {S, M}, "change": {S, M}, "delete": {S, M}},
    "catalog.coveragelevel": {
        "view": {S, M, W, P},
        "add": {S, M},
        "change": {S, M},
        "delete": {S, M},
    },
    "catalog.product": {"view": {S, M, W, P}, "add": {S, M}, "change": {S, M}, "delete": {S, M}},
    "catalog.productvariant": {
        "view": {S, M, W, P},
        "add": {S, M},
        "change": {S, M, W},
        "delete": {S},
    },
    "catalog.cataloghealth": {"view": {S, M}, "add": set(), "change": set(), "delete": set()},
    "orders.order": {"view": {S, P}, "add": {S, P}, "change": {S, P}, "delete": set()},
    "orders.cartitem": {"view": {S, P}, "add": set(), "change": set(), "delete": set()},
    "orders.wishlist": {"view": {S, M, P}, "add": set(), "change": set(), "delete": set()},
    "orders.mostwishlisted": {"view": {S, M, P}, "add": set(), "change": set(), "delete": set()},
    "outfits.outfit": {"view": {S, M, P}, "add": {S}, "change": {S, M}, "delete": {S}},
    "users.user": {"view": {S, P}, "add": {S}, "change": {S, P}, "delete": {S}},
    "auth.group": {"view": {S}, "add": {S}, "change": {S}, "delete": {S}},
    "axes.accessattempt": {"view": {S}, "add": set(), "change": set(), "delete": {S}},
}


def make(label):
    factories = {
        "catalog.category": CategoryFactory,
        "catalog.coveragelevel": CoverageLevelFactory,
        "catalog.product": ProductFactory,
        "catalog.cataloghealth": ProductFactory,  # no variant: it has a health problem
        "catalog.productvariant": VariantFactory,
        "orders.order": OrderFactory,
        "orders.cartitem": CartItemFactory,
        "orders.wishlist": WishlistFactory,
        "outfits.outfit": OutfitFactory,
        "users.user": lambda: UserFactory(email="customer-x@example.com"),
    }
    if label == "orders.mostwishlisted":
        return WishlistFactory().variant
    if label == "axes.accessattempt":
        from axes.models import AccessAttempt

        return AccessAttempt.objects.create(
            username="x@example.com",
            ip_address="203.0.113.9",
            failures_since_start=5,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/",
            user_agent="test",
        )
    if label == "auth.group":
        from django.contrib.auth.models import Group

        from apps.users.roles import sync_roles

        sync_roles()
        return Group.objects.get(name="Support")
    return factories[label]()


def test_the_matrix_covers_every_registered_admin():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(MATRIX))
def test_role_by_model(client_as, role, label):
    client = client_as(role)
    obj = make(label)
    app, model = label.split(".")
    base = f"admin:{app}_{model}"
    allowed = MATRIX[label]

    def status(url):
        return client.get(url).status_code

    expect_view = 200 if role in allowed["view"] else 403
    assert status(reverse(f"{base}_changelist")) == expect_view, "changelist"
    change = status(reverse(f"{base}_change", args=[obj.pk]))
    if role in allowed["view"] or role in allowed["change"]:
        assert change == 200, "change page"
    else:
        assert change in (302, 403), "change page"  # 302: redirected to the index
    add = status(reverse(f"{base}_add"))
    if label == "orders.order" and role in allowed["add"]:
        assert add == 302  # the add page is the phone order form
    else:
        assert add == (200 if role in allowed["add"] else 403), "add page"
    delete = status(reverse(f"{base}_delete", args=[obj.pk]))
    if role in allowed["delete"]:
        assert delete in (200, 302), "delete page"  # 302: refused with a message
    else:
        assert delete in (302, 403), "delete page"
        assert type(obj)._default_manager.filter(pk=obj.pk).exists()


# Custom actions: (url name, object factory or None, roles allowed).
CUSTOM = [
    ("admin:catalog_category_move_category", CategoryFactory, {S, M}),
    ("admin:catalog_productvariant_adjust_stock", VariantFactory, {S, W}),
    ("admin:catalog_productvariant_export_all_csv", None, {S, M, W, P}),
    ("admin:catalog_product_import", None, {S, M}),
    ("admin:catalog_productvariant_import", None, {S, M, W}),
    ("admin:catalog_category_import", None, {S, M}),
    ("admin:catalog_product_export", None, {S, M, W, P}),
    ("admin:orders_order_export", None, {S, P}),
    ("admin:orders_order_phone_order", None, {S, P}),
    ("admin:orders_order_mark_paid", lambda: OrderFactory(status="pending"), {S, P}),
    ("admin:orders_order_mark_shipped", lambda: OrderFactory(status="paid"), {S, P}),
    ("admin:orders_order_mark_delivered", lambda: OrderFactory(status="shipped"), {S, P}),
    ("admin:orders_order_cancel_order", lambda: OrderFactory(status="paid"), {S, P}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "factory", "allowed"), CUSTOM, ids=[c[0] for c in CUSTOM])
def test_role_by_custom_action(client_as, role, name, factory, allowed):
    client = client_as(role)
    url = reverse(name, args=[factory().pk]) if factory else reverse(name)
    response = client.get(url)
    if role in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)  # 302: unfold sends it back with a message


BULK = {
    "catalog.product": {"feature": {S, M}, "unfeature": {S, M}},
    "catalog.category": {"show_in_storefront": {S, M}, "hide_from_storefront": {S, M}},
    "orders.order": {"bulk_mark_paid": {S, P}, "bulk_cancel": {S, P}},
    "outfits.outfit": {"make_public": {S, M}, "make_private": {S, M}},
    "users.user": {"deactivate": {S, P}},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(BULK))
def test_role_by_bulk_action(rf, staff_user, admin_user, role, label):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    request = rf.get("/")
    request.user = admin_user if role == "superuser" else staff_user(role)
    offered = set(model_admin.get_actions(request))
    for action, roles in BULK[label].items():
        assert (action in offered) == (role in roles), action
