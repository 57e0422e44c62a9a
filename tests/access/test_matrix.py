"""Every door of the back office × every role × GET and POST, generated from the URL resolver.

The doors are not listed by hand: every URL pattern the resolver knows (the admin's, the
libraries' — history, revert, import, export, autocomplete — and the project's own) becomes
a case, and a pattern that no row of the table below answers for fails
``test_every_door_has_a_row``, so a new page cannot slip through.

The table says, per model, which roles may do what; it is written out here rather than derived
from ``apps/users/roles.py``, so that a change to a role, an admin's permission hooks or a
library's view shows up as a failing row. Each case:

- allowed: the page answers (200, or a redirect that is not the sign-in page);
- refused, signed in: 403 with the refusal page in the admin's layout;
- refused, anonymous: a redirect to the sign-in page;
- every refused POST (with a valid CSRF token) leaves every table exactly as it was.
"""

import hashlib

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    CartItemFactory,
    CategoryFactory,
    CoverageLevelFactory,
    OrderFactory,
    OrderItemFactory,
    OutfitFactory,
    ProductFactory,
    StaffFactory,
    UserFactory,
    VariantFactory,
    WishlistFactory,
)

pytestmark = pytest.mark.django_db(databases=["default", "feed"])

S, M, W, P, N, A = "superuser", "merchandising", "warehouse", "support", "no_role", "anonymous"
ROLES = [S, M, W, P, N, A]
STAFF = {S, M, W, P, N}
NOBODY: set[str] = set()

# model -> operation -> roles allowed. "view" covers the list, the change page and history;
# "revert" is posting an old version; "staff" rows are the same model seen on a staff account.
MODELS = {
    "catalog.category": {
        "view": {S, M, W, P},
        "add": {S, M},
        "change": {S, M},
        "delete": {S, M},
        "revert": NOBODY,  # would restore stale tree columns
        "import": {S, M},
        "export": {S, M, W, P},
    },
    "catalog.coveragelevel": {
        "view": {S, M, W, P},
        "add": {S, M},
        "change": {S, M},
        "delete": {S, M},
        "revert": {S, M},
    },
    "catalog.product": {
        "view": {S, M, W, P},
        "add": {S, M},
        "change": {S, M},
        "delete": {S, M},
        "revert": {S, M},
        "import": {S, M},
        "export": {S, M, W, P},
    },
    "catalog.productvariant": {
        "view": {S, M, W, P},
        "add": {S, M},
        "change": {S, M, W},
        "delete": {S},
        "revert": NOBODY,  # stock changes only through the stock service
        "import": {S, M, W},
        "export": {S, M, W, P},
    },
    "catalog.cataloghealth": {"view": {S, M}, "add": NOBODY, "change": NOBODY, "delete": NOBODY},
    "orders.order": {
        "view": {S, P},
        "add": {S, P},
        "change": {S, P},
        "delete": NOBODY,  # financial records: cancel instead
        "revert": NOBODY,  # status changes only through its actions
        "save": NOBODY,  # nor by saving its page
        "export": {S, P},
    },
    "orders.cartitem": {"view": {S, P}, "add": NOBODY, "change": NOBODY, "delete": NOBODY},
    # Customer e-mails: read by support, sent again through the outbox service, never edited.
    "orders.outboxemail": {"view": {S, P}, "add": NOBODY, "change": NOBODY, "delete": NOBODY},
    "orders.wishlist": {"view": {S, M, P}, "add": NOBODY, "change": NOBODY, "delete": NOBODY},
    "orders.mostwishlisted": {
        "view": {S, M, P},
        "add": NOBODY,
        "change": NOBODY,
        "delete": NOBODY,
    },
    "outfits.outfit": {
        "view": {S, M, P},
        "add": {S},
        "change": {S, M},
        "delete": {S},
        "revert": {S, M},
    },
    "users.user": {
        "view": {S, P},
        "add": {S},
        "change": {S, P},
        "delete": {S},
        "revert": {S, P},
        "password": {S},
    },
    "users.user[staff]": {
        "view": {S},
        "add": {S},
        "change": {S},
        "delete": {S},
        "revert": {S},
        "password": {S},
    },
    "auth.group": {"view": {S}, "add": {S}, "change": {S}, "delete": {S}},
    "axes.accessattempt": {"view": {S}, "add": NOBODY, "change": NOBODY, "delete": {S}},
}

# The suffix of a model's URL name -> the operation its GET and its POST need.
MODEL_DOORS = {
    "changelist": ("view", "delete"),  # the POST runs the bulk "delete selected" action
    "add": ("add", "add"),
    "change": ("view", "save"),  # "save" is "change" unless the page is never saved
    "delete": ("delete", "delete"),
    "history": ("view", "view"),
    "simple_history": ("view", "revert"),
    "import": ("import", "import"),
    "process_import": ("import", "import"),
    "export": ("export", "export"),
}

# Custom admin URLs: name -> (model, GET roles, POST roles).
CUSTOM = {
    "admin:catalog_category_move_category": ("catalog.category", {S, M}, {S, M}),
    "admin:catalog_productvariant_adjust_stock": ("catalog.productvariant", {S, W}, {S, W}),
    # The product list's featured switch (POST; a GET goes to the product's page).
    "admin:catalog_product_featured": ("catalog.product", {S, M}, {S, M}),
    # The product form's category picker (JSON for Select2; a POST is 405).
    "admin:catalog_product_category_picker": ("catalog.product", {S, M}, {S, M}),
    # The variant generator's preview (JSON; a POST is 405).
    "admin:catalog_product_variant_plan": ("catalog.product", {S, M}, {S, M}),
    "admin:catalog_productvariant_export_all_csv": (
        "catalog.productvariant",
        {S, M, W, P},
        {S, M, W, P},
    ),
    "admin:orders_order_phone_order": ("orders.order", {S, P}, {S, P}),
    # The phone order's customer box (JSON; a POST is 405).
    "admin:orders_order_customer_lookup": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_mark_paid": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_mark_shipped": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_mark_delivered": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_cancel_order": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_change_address": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_add_note": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_packing_slip": ("orders.order", {S, P}, {S, P}),
    "admin:orders_order_ship_from_file": ("orders.order", {S, P}, {S, P}),
    # An e-mail of the order: GET previews it, POST sends it again.
    "admin:orders_order_email": ("orders.order", {S, P}, {S, P}),
    "admin:auth_user_password_change": ("users.user", {S}, {S}),
    "admin:users_user_invite_staff": ("users.user", {S}, {S}),
}

# The admin site's own pages and the project's: name -> (GET roles, POST roles, statuses an
# allowed request may get besides 200 and a redirect).
SITE = {
    "admin:index": (STAFF, STAFF),
    "admin:password_change": (STAFF, STAFF),
    "admin:password_change_done": (STAFF, STAFF),
    "admin:jsi18n": (STAFF, STAFF),
    "admin:search": (STAFF, STAFF),
    "admin:logout": (NOBODY, {*STAFF, A}),  # GET is not a way to sign out (405 for staff)
    "admin:login": ({*STAFF, A}, {*STAFF, A}),
    "admin_password_reset": ({*STAFF, A}, {*STAFF, A}),
    "password_reset_done": ({*STAFF, A}, {*STAFF, A}),
    "password_reset_confirm": ({*STAFF, A}, {*STAFF, A}),
    "password_reset_complete": ({*STAFF, A}, {*STAFF, A}),
}
# Pages with no content of their own: every signed-in person gets the same "not found" page.
NOT_FOUND = {"admin:view_on_site", "admin:catch_all", "root"}
# Per application, who sees its index page. The others get Django's "not found" (an app they
# have nothing in does not exist for them), on the admin's refusal page.
APP_LIST = {
    "users": {S, P},
    "auth": {S},
    "catalog": {S, M, W, P},
    "orders": {S, M, P},
    "outfits": {S, M, P},
    "axes": {S},
}
# Autocomplete: (model asking, field) -> roles. It lists the target model's objects, so those
# who may view the target (categories, products) may ask.
AUTOCOMPLETE = {
    ("outfits.outfititem", "product"): {S, M, W, P},
}
# The storefront feed and health checks are public and read-only.
PUBLIC_READ_ONLY = "feed:", "health"


# Objects --------------------------------------------------------------------------------


def make(label):
    if label == "users.user[staff]":
        return StaffFactory(email="colleague@modestwear.example", is_superuser=True)
    if label == "users.user":
        return UserFactory(email="customer-x@example.com")
    if label == "orders.order":
        order = OrderFactory(status="pending")
        OrderItemFactory(order=order)
        return order
    if label == "orders.outboxemail":
        return customer_email()
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

        return Group.objects.get(name="Support")
    return {
        "catalog.category": CategoryFactory,
        "catalog.coveragelevel": lambda: CoverageLevelFactory(name="Modest"),
        "catalog.product": ProductFactory,
        "catalog.cataloghealth": ProductFactory,  # no variant: a health problem
        "catalog.productvariant": VariantFactory,
        "orders.cartitem": CartItemFactory,
        "orders.wishlist": WishlistFactory,
        "outfits.outfit": OutfitFactory,
    }[label]()


def customer_email():
    return customer_email_of(make("orders.order"))


def version_of(obj):
    history = getattr(obj, "history", None)
    record = history.order_by("history_id").first() if history is not None else None
    return record.history_id if record else 1


# Doors: generated from the resolver ---------------------------------------------------------


def patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", entry


def model_labels():
    return {
        f"{m._meta.app_label}_{m._meta.model_name}": m._meta.label_lower
        for m in admin.site._registry
    }


def door_of(name):
    """(model label or None, suffix) for a model admin URL name, else None."""
    if not name.startswith("admin:"):
        return None
    for prefix, label in sorted(model_labels().items(), key=lambda item: -len(item[0])):
        if name.startswith(f"admin:{prefix}_"):
            return label, name[len(f"admin:{prefix}_") :]
    return None


def doors():
    """Every (door id, url name) the resolver offers, with variants where scope matters."""
    seen = set()
    for name, pattern in patterns():
        if name in seen:
            continue
        seen.add(name)
        if name == "admin:":  # the object shortcut (…/<id>/ -> …/<id>/change/) and catch-all
            pattern_text = str(pattern.pattern)
            door = "admin:catch_all" if "url" in pattern_text else "admin:object_shortcut"
            if door in seen:
                continue
            seen.add(door)
            yield door, name
            continue
        if name == "admin:app_list":
            for app in APP_LIST:
                yield f"admin:app_list[{app}]", name
            continue
        if name == "admin:autocomplete":
            for label, field in AUTOCOMPLETE:
                yield f"admin:autocomplete[{label}.{field}]", name
            continue
        model = door_of(name)
        if model and model[0] == "users.user" and model[1] != "changelist":
            yield name, name
            yield f"{name}[staff]", name
            continue
        if model and model[1] == "changelist":
            yield name, name
            yield f"{name}[popup]", name
            continue
        yield name, name


DOORS = list(doors())


# Methods a door does not serve at all: 405 for those the door is for (the others are refused
# first; anonymous visitors are sent to sign in).
NOT_SERVED = {
    ("admin:autocomplete", "POST"),
    ("process_import", "GET"),
    ("admin:logout", "GET"),
}


def not_served(name, method, role, allowed):
    """A 405 is the answer: for every signed-in person on the admin site's own views, and
    for those the door is for on an import's confirmation (others are refused first)."""
    if role == A:
        return False
    if (name, method) in NOT_SERVED:
        return True
    return name.endswith("_process_import") and method == "GET" and role in allowed


def expectation(door):
    """(GET roles, POST roles) for a door; KeyError when the table has no row for it."""
    name = door.split("[")[0]
    if door.endswith("[popup]"):  # a lookup popup lists; it runs no actions
        label, _ = door_of(name)
        return MODELS[label]["view"], NOBODY
    if door in NOT_FOUND or door == "admin:object_shortcut":
        return None
    if door.startswith("admin:app_list["):
        roles = APP_LIST.get(door[len("admin:app_list[") : -1], NOBODY)
        return roles, roles
    if door.startswith("admin:autocomplete["):
        label, field = door[len("admin:autocomplete[") : -1].rsplit(".", 1)
        roles = AUTOCOMPLETE[(label, field)]
        return roles, roles
    if name.startswith(PUBLIC_READ_ONLY):
        return "public", "public"
    if name in SITE:
        return SITE[name]
    staff_variant = door.endswith("[staff]")
    if name in CUSTOM:
        label, get_roles, post_roles = CUSTOM[name]
        if staff_variant:
            return MODELS["users.user[staff]"]["password"], MODELS["users.user[staff]"]["password"]
        return get_roles, post_roles
    label, suffix = door_of(name)
    rights = MODELS[f"{label}[staff]" if staff_variant else label]
    get_op, post_op = MODEL_DOORS[suffix]
    if post_op == "save":
        return rights[get_op], rights.get("save", rights["change"])
    return rights[get_op], rights[post_op]


def test_every_door_has_a_row():
    missing = []
    for door, _ in DOORS:
        try:
            expectation(door)
        except KeyError:
            missing.append(door)
    assert not missing, f"URLs without a row in the access table: {missing}"


def test_the_table_covers_every_registered_admin():
    registered = set(model_labels().values())
    assert registered == {label for label in MODELS if "[" not in label}


# Requests -------------------------------------------------------------------------------

CSRF = "a" * 32  # a valid secret; the cookie and the form field carry the same one


def client_for(role, staff_user, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
    if role == A:
        return client
    user = admin_user if role == S else staff_user(role)
    client.force_login(user)
    return client


def url_for(door, name, obj):
    if door == "admin:catch_all":
        return f"/{settings.ADMIN_URL_PATH}no/such/page/"
    if door == "admin:object_shortcut":
        return reverse("admin:catalog_product_change", args=[obj.pk]).replace("change/", "")
    if door.startswith("admin:app_list["):
        return reverse(name, kwargs={"app_label": door[len("admin:app_list[") : -1]})
    if door.startswith("admin:autocomplete["):
        label, field = door[len("admin:autocomplete[") : -1].rsplit(".", 1)
        app, model = label.split(".")
        query = f"?app_label={app}&model_name={model}&field_name={field}&term=a"
        return reverse(name) + query
    if name == "admin:view_on_site":
        content_type = ContentType.objects.get_for_model(obj)
        return reverse(name, args=[content_type.pk, obj.pk])
    if name == "password_reset_confirm":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if name.startswith("feed:"):
        return feed_url(name, obj)
    if name == "admin:orders_order_email":
        return reverse(name, args=[obj.pk, customer_email_of(obj).pk])
    if name in ("health", "root"):
        return reverse(name)
    pattern = dict(patterns())[name].pattern
    groups = len(getattr(pattern, "converters", {})) or pattern.regex.groups
    args = [obj.pk, version_of(obj)] if groups == 2 else [obj.pk][:groups]
    url = reverse(name, args=args)
    return url + "?_popup=1&_to_field=id" if door.endswith("[popup]") else url


def customer_email_of(order):
    """An e-mail in the outbox about ``order``, now paid (written by the order service)."""
    from apps.access.policy import system_actor
    from apps.orders.services import order_change_status

    order_change_status(order_id=order.pk, to="paid", actor=system_actor())
    return order.emails.get()


def feed_url(name, obj):
    kwargs = {
        "feed:product": {"product_id": 1},
        "feed:product_by_slug": {"slug": "some-product"},
        "feed:outfit": {"outfit_id": 1},
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


def subject_of(door, name):
    """The object a door acts on."""
    if door.endswith("[staff]"):
        return "users.user[staff]"
    model = door_of(name)
    if model:
        return model[0]
    if name in CUSTOM:
        return CUSTOM[name][0]
    return "catalog.product"


def post_data(door, name, obj):
    data = {
        "csrfmiddlewaretoken": CSRF,
        # A hostile form: every field a door might take, set to what an attacker would want.
        "name": "Changed by the matrix",
        "email": "changed@example.com",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "status": "cancelled",
        "stock_available": "0",
        "base_price": "0.01",
        "quantity": "5",
        "reason": "received",
        "note": "matrix",
        "position": "last-child",
        "confirm": "1",
        "post": "yes",
        "password1": "Matrix-passphrase-42",
        "password2": "Matrix-passphrase-42",
        "old_password": "wrong",
        "new_password1": "Matrix-passphrase-42",
        "new_password2": "Matrix-passphrase-42",
        "username": "nobody@example.com",
        "password": "wrong",
        "format": "0",
        "resource": "0",
    }
    if name.endswith("_changelist"):
        data.update(action="delete_selected", _selected_action=[obj.pk])
    if name.endswith("_import"):
        data["import_file"] = SimpleUploadedFile("rows.csv", b"sku,stock\nX,1\n", "text/csv")
    return data


def checksum():
    """One digest of every row of every table (sessions aside: signing in writes them)."""
    tables = [t for t in connection.introspection.table_names() if t != "django_session"]
    parts = " UNION ALL ".join(
        f"SELECT '{t}' AS t, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS d "
        f'FROM "{t}" x'
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg(t || d, '|' ORDER BY t) FROM ({parts}) s")
        return hashlib.sha256(cursor.fetchone()[0].encode()).hexdigest()


def refused_status(door):
    # An application's index answers "not found" to those who have nothing in it.
    return 404 if door.startswith("admin:app_list[") else 403


def check(response, allowed, role, what, refused_status=403):
    status = response.status_code
    assert status != 500, what
    if allowed == "public":
        assert status in (200, 301, 302, 400, 404, 405, 503), what
        return
    login = f"/{settings.ADMIN_URL_PATH}login/"
    if role in allowed:
        assert status not in (403, 404), f"{what}: refused ({status})"
        if status == 302:
            assert not response["Location"].startswith(login), f"{what}: sent to sign in"
        return
    if role == A:
        assert status == 302 and response["Location"].startswith(login), f"{what}: {status}"
    else:
        assert status == refused_status, f"{what}: not refused ({status})"
        assert b'id="refusal"' in response.content, f"{what}: a bare refusal"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("door", "name"), DOORS, ids=[door for door, _ in DOORS])
def test_door(door, name, role, staff_user, admin_user):
    from apps.users.roles import sync_roles

    sync_roles()
    obj = make(subject_of(door, name))
    client = client_for(role, staff_user, admin_user)
    url = url_for(door, name, obj)
    rules = expectation(door)
    if rules is None:  # no content of its own: the same "not found" for everybody
        response = client.get(url)
        if role == A:
            assert response.status_code in (302, 404)
        else:
            assert response.status_code in (302, 404), f"GET {url}: {response.status_code}"
        return
    get_roles, post_roles = rules
    response = client.get(url)
    if name == "admin:logout" and role == A:
        assert response.status_code == 302  # the admin sends a signed-out visitor home
    elif not_served(name, "GET", role, get_roles):
        assert response.status_code == 405, f"{role} GET {url}: {response.status_code}"
    else:
        check(response, get_roles, role, f"{role} GET {url}", refused_status(door))

    before = checksum()
    response = client.post(url, post_data(door, name, obj))
    if not_served(name, "POST", role, post_roles):
        assert response.status_code == 405, f"{role} POST {url}: {response.status_code}"
    else:
        check(response, post_roles, role, f"{role} POST {url}", refused_status(door))
    if post_roles != "public" and role not in post_roles:
        assert checksum() == before, f"{role} POST {url} was refused but changed the database"
    if post_roles == "public" and name != "admin_password_reset":
        assert checksum() == before, f"POST {url} changed the database"


# Bulk actions: every action a changelist offers anybody, posted by every role ------------

# (model, action) -> roles that may run it.
ACTIONS = {
    ("catalog.category", "delete_selected"): {S, M},
    ("catalog.category", "show_in_storefront"): {S, M},
    ("catalog.category", "hide_from_storefront"): {S, M},
    ("catalog.coveragelevel", "delete_selected"): {S, M},
    ("catalog.product", "delete_selected"): {S, M},
    ("catalog.product", "feature"): {S, M},
    ("catalog.product", "unfeature"): {S, M},
    ("catalog.product", "archive"): {S, M},
    ("catalog.productvariant", "delete_selected"): {S},
    ("orders.order", "bulk_mark_paid"): {S, P},
    ("orders.order", "bulk_mark_shipped"): {S, P},
    ("orders.order", "bulk_mark_delivered"): {S, P},
    ("orders.order", "bulk_cancel"): {S, P},
    ("orders.order", "print_packing_slips"): {S, P},
    ("orders.outboxemail", "send_again"): {S, P},
    ("outfits.outfit", "delete_selected"): {S},
    ("outfits.outfit", "make_public"): {S, M},
    ("outfits.outfit", "make_private"): {S, M},
    ("users.user", "delete_selected"): {S},
    ("users.user", "deactivate"): {S, P},
    ("users.user[staff]", "deactivate"): {S},
    ("users.user[staff]", "delete_selected"): {S},
    ("auth.group", "delete_selected"): {S},
    ("axes.accessattempt", "delete_selected"): {S},
    ("axes.accessattempt", "unlock_accounts"): {S},
}


def offered_actions():
    from django.test import RequestFactory

    from apps.users.models import User

    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        for action in model_admin.get_actions(request):
            label = model._meta.label_lower
            yield label, action
            if label == "users.user":
                yield "users.user[staff]", action


def test_every_bulk_action_has_a_row():
    assert set(offered_actions()) == set(ACTIONS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "action"), sorted(ACTIONS), ids=lambda v: str(v))
def test_bulk_action(label, action, role, staff_user, admin_user):
    from apps.users.roles import sync_roles

    sync_roles()
    obj = make(label)
    client = client_for(role, staff_user, admin_user)
    app, model = label.split("[")[0].split(".")
    url = reverse(f"admin:{app}_{model}_changelist")
    data = {
        "csrfmiddlewaretoken": CSRF,
        "action": action,
        "_selected_action": [obj.pk],
        "post": "yes",
        "confirm": "1",
        "reason": "matrix",
    }
    before = checksum()
    response = client.post(url, data)
    check(response, ACTIONS[(label, action)], role, f"{role} {action} on {label}")
    if role not in ACTIONS[(label, action)]:
        assert checksum() == before, f"{role} {action} on {label} was refused but wrote"
