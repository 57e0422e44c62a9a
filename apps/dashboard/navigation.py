"""The admin sidebar, grouped by the staff's work; each role sees only what it may use.

``UNFOLD["SIDEBAR"]["navigation"]`` points here; unfold calls :func:`sidebar` per request.
"""

from urllib.parse import parse_qs, urlparse

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

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


class _Fresh(list):
    """Built anew for each request: unfold's deep copy of the navigation (it guards a shared
    settings value against its own edits) has nothing to guard here."""

    def __deepcopy__(self, memo):
        return self


def sidebar(request) -> list[dict]:
    groups = _Fresh()
    for title, entries in GROUPS:
        # Every key unfold's sidebar template reads, even when empty: a key it misses costs
        # Django's template engine an exception and a dir() per entry, on every page.
        items = [
            {
                "title": name,
                "icon": icon,
                "link": link,
                "permission": _allowed(permission),
                "badge": None,
                "link_callback": None,
            }
            for name, icon, url_name, query, permission in entries
            if request.user.has_perm(permission) and (link := _link(url_name, query))
        ]
        if items:
            groups.append(
                {
                    "title": title,
                    "separator": True,
                    "items": items,
                    "collapsible": False,
                    "badge": None,
                }
            )
    current = _current_item(request, [item for group in groups for item in group["items"]])
    for group in groups:
        for item in group["items"]:
            item["active"] = item is current
    return groups


def _current_item(request, items) -> dict | None:
    """The one entry for this page: the longest path it is under, then the entry whose query
    the page's filters match most closely ("Low stock", not also "Stock by variant").

    unfold's own rule marks every entry whose path the page is under, whatever the query.
    """
    params = _page_params(request)
    best, best_key = None, None
    for item in items:
        link = urlparse(item["link"])
        wanted = parse_qs(link.query)
        if not request.path.startswith(link.path):
            continue
        if any(params.get(name) != values for name, values in wanted.items()):
            continue
        key = (len(link.path), len(wanted))
        if best_key is None or key > best_key:
            best, best_key = item, key
    return best


def _page_params(request) -> dict[str, list[str]]:
    """The list filters a page is seen under: its own query, the list's filters it keeps for
    the way back (``_changelist_filters``), and, on a staff account's pages, "staff"."""
    params = {name: request.GET.getlist(name) for name in request.GET}
    params.update(parse_qs(request.GET.get("_changelist_filters", "")))
    if _is_staff_account_page(request):
        params["is_staff__exact"] = ["1"]
    return params


def _is_staff_account_page(request) -> bool:
    from apps.toolkit.numbers import parse_id
    from apps.users.models import User

    try:
        match = resolve(request.path)
    except Resolver404:
        return False
    if not match.url_name or not match.url_name.startswith("users_user_"):
        return False
    pk = parse_id(match.kwargs.get("object_id") or match.kwargs.get("id"))
    return pk is not None and User.objects.filter(pk=pk, is_staff=True).exists()
