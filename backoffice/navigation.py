"""The admin sidebar, grouped by the staff's work; each role sees only what it may use.

``UNFOLD["SIDEBAR"]["navigation"]`` points here; unfold calls :func:`sidebar` per request.
"""

from django.urls import NoReverseMatch, reverse

# (group, [(title, icon, url name, query string, permission needed), ...])
GROUPS = [
    (
        "Catalog",
        [
            (
                "Categories",
                "account_tree",
                "admin:catalog_category_changelist",
                "",
                "catalog.view_category",
            ),
            (
                "Products",
                "checkroom",
                "admin:catalog_product_changelist",
                "",
                "catalog.view_product",
            ),
            (
                "Catalog health",
                "health_and_safety",
                "admin:catalog_cataloghealth_changelist",
                "",
                "catalog.view_cataloghealth",
            ),
            (
                "Most wishlisted",
                "favorite",
                "admin:orders_mostwishlisted_changelist",
                "",
                "orders.view_mostwishlisted",
            ),
            (
                "Coverage levels",
                "layers",
                "admin:catalog_coveragelevel_changelist",
                "",
                "catalog.view_coveragelevel",
            ),
        ],
    ),
    (
        "Stock",
        [
            (
                "Stock by variant",
                "inventory_2",
                "admin:catalog_productvariant_changelist",
                "",
                "catalog.view_productvariant",
            ),
            (
                "Low stock",
                "trending_down",
                "admin:catalog_productvariant_changelist",
                "?stock=low&is_active__exact=1",
                "catalog.view_productvariant",
            ),
            (
                "Out of stock",
                "remove_shopping_cart",
                "admin:catalog_productvariant_changelist",
                "?stock=out&is_active__exact=1",
                "catalog.view_productvariant",
            ),
        ],
    ),
    (
        "Orders",
        [
            ("Orders", "receipt_long", "admin:orders_order_changelist", "", "orders.view_order"),
            (
                "Customer e-mails",
                "mail",
                "admin:orders_outboxemail_changelist",
                "",
                "orders.view_outboxemail",
            ),
            (
                "Carts",
                "shopping_cart",
                "admin:orders_cartitem_changelist",
                "",
                "orders.view_cartitem",
            ),
            (
                "Wishlists",
                "favorite",
                "admin:orders_wishlist_changelist",
                "",
                "orders.view_wishlist",
            ),
        ],
    ),
    (
        "Customers",
        [("Customers", "group", "admin:users_user_changelist", "", "users.view_user")],
    ),
    (
        "Outfits",
        [("Outfits", "styler", "admin:outfits_outfit_changelist", "", "outfits.view_outfit")],
    ),
    (
        "Access",
        [
            ("Roles", "badge", "admin:auth_group_changelist", "", "auth.view_group"),
            (
                "Locked-out sign-ins",
                "lock",
                "admin:axes_accessattempt_changelist",
                "",
                "axes.view_accessattempt",
            ),
            (
                "Staff accounts",
                "admin_panel_settings",
                "admin:users_user_changelist",
                "?is_staff__exact=1",
                "auth.change_group",
            ),
        ],
    ),
]


def _allowed(permission):
    return lambda request: request.user.has_perm(permission)


def _link(url_name: str, query: str) -> str | None:
    try:
        return reverse(url_name) + query
    except NoReverseMatch:  # a model without an admin (yet)
        return None


def sidebar(request) -> list[dict]:
    groups = []
    for title, entries in GROUPS:
        items = [
            {"title": name, "icon": icon, "link": link, "permission": _allowed(permission)}
            for name, icon, url_name, query, permission in entries
            if request.user.has_perm(permission) and (link := _link(url_name, query))
        ]
        if items:
            groups.append({"title": title, "separator": True, "items": items})
    return groups
