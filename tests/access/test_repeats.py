"""The door matrix's repeat column: every door that changes something, sent twice.

Generated from the same resolver walk as tests/access/test_matrix.py: each door someone may
POST to has a row below — a recipe that opens its page as a browser would, reads the form it
draws (its one-time key included) and fills it in so that sending it changes something — or
says why a POST there changes nothing. A new door without a row fails
``test_every_post_door_has_a_repeat_row``.

For each recipe: the first POST changes the database (so the recipe proves something); the
same POST again — same body, same CSRF token, same key: a double click, Back and resubmit, a
browser's retry — leaves every table exactly as the first left it, and says what the first
did. Doors that make something new each time are also opened twice: two pages, two keys,
both apply.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.access.policy import system_actor
from apps.catalog.models import Category
from apps.orders.services import order_change_status
from apps.toolkit.submissions import FIELD
from tests.access.test_matrix import (
    ACTIONS,
    DOORS,
    NOT_FOUND,
    S,
    checksum,
    client_for,
    customer_email_of,
    door_of,
    expectation,
    make,
    not_served,
    subject_of,
)
from tests.factories import (
    CategoryFactory,
    OutfitItemFactory,
    ProductFactory,
    VariantFactory,
)
from tests.pages import form_of, forms, post_form

pytestmark = pytest.mark.django_db(databases=["default", "feed"])


# Recipes: (client, obj) -> (address, data[, headers]) --------------------------------------


def page(client, url, containing=None, **changes):
    address, data = form_of(client, url, containing=containing)
    data.update(changes)
    return address, data


def admin(name, *args):
    return reverse(f"admin:{name}", args=args)


def change(field, value):
    """The object's change form as drawn, one field typed over."""

    def recipe(client, obj):
        name = f"{obj._meta.app_label}_{obj._meta.model_name}_change"
        return page(client, admin(name, obj.pk), field, **{field: value, "_save": "Save"})

    return recipe


def deleting(client, obj):
    name = f"{obj._meta.app_label}_{obj._meta.model_name}_delete"
    return page(client, admin(name, obj.pk), "post")


def adding(model, **values):
    def recipe(client, obj):
        first = next(iter(values))
        return page(client, admin(f"{model}_add"), first, **values, _save="Save")

    return recipe


def reverting(field, value):
    """An older version of the object, reverted to: the object is changed first."""

    def recipe(client, obj):
        first = obj.history.order_by("history_id").first()
        setattr(obj, field, value)
        obj.save()
        name = f"{obj._meta.app_label}_{obj._meta.model_name}_simple_history"
        return page(client, admin(name, obj.pk, first.history_id), None, _save="Revert")

    return recipe


def importing(model, text, name="rows.csv"):
    """An upload previewed, then its confirmation (the upload page's key carried on)."""

    def recipe(client, obj):
        address, data = form_of(client, admin(f"{model}_import"))
        data.update(format="", import_file=SimpleUploadedFile(name, text(obj).encode()))
        preview = client.post(address, data)
        assert preview.status_code == 200, preview.status_code
        confirm = post_form(preview.content, containing="import_file_name")
        return admin(f"{model}_process_import"), confirm

    return recipe


def status(to, *, before=(), **fields):
    """The order's status page for ``to``, the order first moved through ``before``."""

    def recipe(client, order):
        for step in before:
            order_change_status(order_id=order.pk, to=step, actor=system_actor())
        door = {"cancelled": "cancel_order"}.get(to, f"mark_{to}")
        return page(client, admin(f"orders_order_{door}", order.pk), None, **fields)

    return recipe


def phone_order(client, order):
    variant = VariantFactory(stock_available=20)
    address, data = form_of(client, admin("orders_order_phone_order"), containing="lines")
    data.update(customer=order.user.email, address="1 Phone Street", lines=f"{variant.sku} 2")
    checked = client.post(address, data)
    return address, post_form(checked.content, containing="checked")


def shipping_file(client, order):
    order_change_status(order_id=order.pk, to="paid", actor=system_actor())
    csv = f"order,carrier,tracking\n{order.pk},DPD,TRK1\n".encode()
    return page(
        client,
        admin("orders_order_ship_from_file"),
        None,
        file=SimpleUploadedFile("ship.csv", csv, "text/csv"),
    )


def sending_again(client, order):
    email = customer_email_of(order)
    email.status, email.sent_at = "sent", timezone.now()
    email.save(update_fields=["status", "sent_at"])
    return page(client, admin("orders_order_email", order.pk, email.pk), None, send="1")


def featuring(client, product):
    url = admin("catalog_product_featured", product.pk)
    listing = client.get(admin("catalog_product_changelist")).content.decode()
    key = listing.split(f'data-instant-toggle="{url}" data-submission="')[1].split('"')[0]
    headers = {"HTTP_X_SUBMISSION_KEY": key, "HTTP_ACCEPT": "application/json"}
    data = {"featured": "1", "csrfmiddlewaretoken": "a" * 32}
    return url, data, headers


def moving(client, category):
    target = CategoryFactory(name="Target")
    return page(
        client,
        admin("catalog_category_move_category", category.pk),
        "target",
        target=target.pk,
        position="last-child",
    )


def list_edit(client, variant):
    url = admin("catalog_productvariant_changelist") + f"?q={variant.sku}"
    address, data = page(client, url, "form-TOTAL_FORMS", _save="Save")
    data["form-0-stock_available"] = str(variant.stock_available + 7)
    return address, data


def product_add(client, obj):
    category, level = CategoryFactory(), obj.coverage_level
    return page(
        client,
        admin("catalog_product_add"),
        "name",
        name="Matrix Abaya",
        slug="matrix-abaya",
        category=category.pk,
        coverage_level=level.pk,
        base_price="70.00",
        description="Made by the matrix.",
        _save="Save",
    )


def variant_add(client, obj):
    return page(
        client,
        admin("catalog_productvariant_add"),
        "sku",
        product=obj.product_id,
        sku="MATRIX-1",
        size="2",
        color="Teal",
        coverage=obj.coverage_id,
        stock_available="3",
        is_active="on",
        _save="Save",
    )


def outfit_with_items(client, outfit):
    for product in ProductFactory.create_batch(2):
        OutfitItemFactory(outfit=outfit, product=product)
    return change("name", "Renamed by the matrix")(client, outfit)


def outfit_add(client, obj):
    first, second = ProductFactory.create_batch(2)
    address, data = page(
        client,
        admin("outfits_outfit_add"),
        "name",
        name="Matrix set",
        description="Two pieces",
        user=obj.user_id,
        _save="Save",
    )
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-0-product": str(first.pk),
            f"{prefix}-0-position": "0",
            f"{prefix}-1-product": str(second.pk),
            f"{prefix}-1-position": "1",
        }
    )
    return address, data


def user_add(client, obj):
    return page(
        client,
        admin("users_user_add"),
        "email",
        email="matrix-new@example.com",
        password1="Matrix-passphrase-42",
        password2="Matrix-passphrase-42",
        _save="Save",
    )


def password(client, user):
    return page(
        client,
        admin("auth_user_password_change", user.pk),
        "password1",
        password1="Matrix-passphrase-42",
        password2="Matrix-passphrase-42",
    )


def own_password(client, obj):
    return page(
        client,
        admin("password_change"),
        "old_password",
        old_password="password",  # pytest-django's admin_user
        new_password1="Matrix-passphrase-42",
        new_password2="Matrix-passphrase-42",
    )


def invite(client, obj):
    return page(
        client,
        admin("users_user_invite_staff"),
        "email",
        email="matrix-invite@modestwear.example",
        role="Support",
    )


def stock_rows(variant):
    return f"sku,delta,reason\n{variant.sku},+4,DN-1\n"


def category_rows(category):
    return f"slug,name\n{category.slug},Renamed by a file\n"


def product_rows(product):
    return (
        "slug,name,category,base_price\n"
        f"{product.slug},Renamed by a file,{product.category.slug},{product.base_price}\n"
    )


REPEAT = {
    "admin:password_change": own_password,
    "admin:auth_user_password_change": password,
    "admin:users_user_simple_history": reverting("first_name", "Changed"),
    "admin:users_user_simple_history[staff]": reverting("first_name", "Changed"),
    "admin:users_user_invite_staff": invite,
    "admin:users_user_invite_staff[staff]": invite,
    "admin:users_user_add": user_add,
    "admin:users_user_add[staff]": user_add,
    "admin:users_user_delete": deleting,
    "admin:users_user_delete[staff]": deleting,
    "admin:users_user_change": change("first_name", "Matrix"),
    "admin:users_user_change[staff]": change("first_name", "Matrix"),
    "admin:auth_group_add": adding("auth_group", name="Matrix group"),
    "admin:auth_group_delete": deleting,
    "admin:auth_group_change": change("name", "Support, renamed"),
    "admin:catalog_category_process_import": importing("catalog_category", category_rows),
    "admin:catalog_category_move_category": moving,
    "admin:catalog_category_add": adding("catalog_category", name="Matrix", slug="matrix"),
    "admin:catalog_category_delete": deleting,
    "admin:catalog_category_change": change("name", "Renamed by the matrix"),
    "admin:catalog_coveragelevel_simple_history": reverting("description", "Changed"),
    "admin:catalog_coveragelevel_add": adding(
        "catalog_coveragelevel", name="Matrix level", size="4"
    ),
    "admin:catalog_coveragelevel_delete": deleting,
    "admin:catalog_coveragelevel_change": change("description", "Changed by the matrix"),
    "admin:catalog_product_featured": featuring,
    "admin:catalog_product_process_import": importing("catalog_product", product_rows),
    "admin:catalog_product_simple_history": reverting("name", "Changed"),
    "admin:catalog_product_add": product_add,
    "admin:catalog_product_delete": deleting,
    "admin:catalog_product_change": change("name", "Renamed by the matrix"),
    "admin:catalog_productvariant_process_import": importing("catalog_productvariant", stock_rows),
    "admin:catalog_productvariant_adjust_stock": lambda client, variant: page(
        client,
        admin("catalog_productvariant_adjust_stock", variant.pk),
        "quantity",
        reason="received",
        quantity="5",
        note="DN-1",
    ),
    "admin:catalog_productvariant_changelist": list_edit,
    "admin:catalog_productvariant_add": variant_add,
    "admin:catalog_productvariant_delete": deleting,
    "admin:catalog_productvariant_change": change("color", "Teal"),
    "admin:orders_order_email": sending_again,
    "admin:orders_order_phone_order": phone_order,
    "admin:orders_order_ship_from_file": shipping_file,
    "admin:orders_order_mark_paid": status("paid", note="PAY-1"),
    "admin:orders_order_mark_shipped": status(
        "shipped", before=["paid"], carrier="DPD", tracking_number="T1"
    ),
    "admin:orders_order_mark_delivered": status("delivered", before=["paid", "shipped"]),
    "admin:orders_order_cancel_order": status("cancelled", reason="Customer asked"),
    "admin:orders_order_change_address": lambda client, order: page(
        client,
        admin("orders_order_change_address", order.pk),
        "address",
        address="2 New Street",
    ),
    "admin:orders_order_add_note": lambda client, order: page(
        client, admin("orders_order_add_note", order.pk), "text", text="Rang the customer"
    ),
    "admin:outfits_outfit_simple_history": reverting("name", "Changed"),
    "admin:outfits_outfit_add": outfit_add,
    "admin:outfits_outfit_delete": deleting,
    "admin:outfits_outfit_change": outfit_with_items,
    "admin:axes_accessattempt_delete": deleting,
}

# Doors a POST reaches that change nothing, and why.
NO_EFFECT = {
    "admin:search": "a page that reads",
    "admin:index": "a page that reads",
    "admin:jsi18n": "a page that reads",
    "admin:password_change_done": "a page that reads",
    "admin:app_list": "a page that reads",
    "admin:login": "signing in writes only the session",
    "admin:logout": "signing out writes only the session",
    "admin:orders_order_add": "sends to the phone order page",
    "admin:orders_order_packing_slip": "a page to print",
    "admin:catalog_product_category_picker": "JSON that reads (a POST is 405)",
    "admin:catalog_product_variant_plan": "JSON that reads (a POST is 405)",
    "admin:orders_order_customer_lookup": "JSON that reads (a POST is 405)",
    "admin:catalog_productvariant_export_all_csv": "a download",
}
# Suffixes of model admin doors whose POST changes nothing.
NO_EFFECT_SUFFIXES = {
    "history": "Django's history page reads",
    "export": "a download",
    "import": "a preview: nothing is written until it is confirmed (process_import)",
    "changelist": "its bulk actions: see ACTION_RECIPES below",
}


def post_doors():
    """Doors somebody signed in may POST to (the public feed and sign-in pages aside)."""
    for door, name in DOORS:
        rules = expectation(door)
        if rules is None or door in NOT_FOUND or rules[1] == "public":
            continue
        roles = {role for role in rules[1] if role != "anonymous"}
        if name in ("admin_password_reset",) or name.startswith("password_reset_"):
            continue  # the public password reset: its own tokens, tested in tests/access
        if roles and not all(not_served(name, "POST", role, roles) for role in roles):
            yield door, name


def suffix(name):
    model = door_of(name)
    return model[1] if model else None


def covered(door, name) -> bool:
    return door in REPEAT or door.split("[")[0] in NO_EFFECT or suffix(name) in NO_EFFECT_SUFFIXES


def test_every_post_door_has_a_repeat_row():
    missing = [door for door, name in post_doors() if not covered(door, name)]
    assert not missing, f"POST doors without a repeat row: {missing}"


def fresh(data):
    """The same body again: an uploaded file is sent again from its start."""
    copy = {}
    for key, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
            value = SimpleUploadedFile(value.name, value.read(), value.content_type)
        copy[key] = value
    return copy


def said_last(response) -> str:
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return messages[-1] if messages else ""


def send_twice(client, address, data, headers=None):
    headers = headers or {}
    before = checksum()
    first = client.post(address, fresh(data), **headers)
    assert first.status_code < 400, (first.status_code, first.content.decode()[:2000])
    after_first = checksum()
    assert after_first != before, f"the first POST to {address} changed nothing: {said_last(first)}"
    second = client.post(address, fresh(data), **headers)
    assert second.status_code < 400, second.status_code
    assert checksum() == after_first, f"the second POST to {address} changed the database"
    return first, second


def the_subject(door, name):
    if door == "admin:password_change":
        return None
    return make(subject_of(door, name))


@pytest.mark.parametrize("door", sorted(REPEAT))
def test_a_door_sent_twice_applies_once(door, staff_user, admin_user):
    from apps.users.roles import sync_roles

    sync_roles()
    name = door.split("[")[0]
    obj = the_subject(door, name)
    client = client_for(S, staff_user, admin_user)
    found = REPEAT[door](client, obj)
    address, data, headers = (*found, None) if len(found) == 2 else found
    first, second = send_twice(client, address, data, headers)
    if headers:  # a script's door: the same answer again, marked as a repeat
        assert second.json()["repeated"] is True
        assert second.json()["message"].startswith("Already done")
    else:
        assert second.status_code == 302 and second["Location"] == first["Location"]
        assert said_last(second).startswith("Already done"), said_last(second)


# Bulk actions ------------------------------------------------------------------------------


def select(action, *, confirm=None, prepare=None):
    """The list page's form, ``action`` chosen on the row; for an action that asks first, its
    confirmation page's form, answered with ``confirm``."""

    def recipe(client, obj, label):
        if prepare:
            prepare(obj)
        app, model = label.split("[")[0].split(".")
        url = admin(f"{app}_{model}_changelist")
        if label.endswith("[staff]"):
            url += "?is_staff__exact=1"
        address, data = form_of(client, url, containing="action")
        data.update(action=action, _selected_action=[str(obj.pk)], index="0")
        if confirm is None:
            return address, data
        asked = client.post(address, data)
        assert asked.status_code == 200, asked.status_code
        return address, {**post_form(asked.content), **confirm}

    return recipe


def to_status(*steps):
    def prepare(order):
        for step in steps:
            order_change_status(order_id=order.pk, to=step, actor=system_actor())

    return prepare


def sent_email(order):
    email = customer_email_of(order)
    email.status, email.sent_at = "sent", timezone.now()
    email.save(update_fields=["status", "sent_at"])
    order.email_for_action = email


def hidden(category):
    Category.objects.filter(pk=category.pk).update(is_active=False)


def featured(product):
    type(product).objects.filter(pk=product.pk).update(is_featured=True)


def with_active_variant(product):
    VariantFactory(product=product, is_active=True)


def publishable(outfit):
    for _ in range(2):
        product = ProductFactory()
        VariantFactory(product=product, stock_available=3)
        OutfitItemFactory(outfit=outfit, product=product)


def public(outfit):
    publishable(outfit)
    type(outfit).objects.filter(pk=outfit.pk).update(is_public=True)


DELETE = {"post": "yes"}
ACTION_RECIPES = {
    ("catalog.category", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("catalog.category", "show_in_storefront"): select("show_in_storefront", prepare=hidden),
    ("catalog.category", "hide_from_storefront"): select(
        "hide_from_storefront", confirm={"confirm": "1"}
    ),
    ("catalog.coveragelevel", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("catalog.product", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("catalog.product", "feature"): select("feature"),
    ("catalog.product", "unfeature"): select("unfeature", prepare=featured),
    ("catalog.product", "archive"): select("archive", prepare=with_active_variant),
    ("catalog.productvariant", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("orders.order", "bulk_mark_paid"): select("bulk_mark_paid"),
    ("orders.order", "bulk_mark_shipped"): select(
        "bulk_mark_shipped",
        prepare=to_status("paid"),
        confirm={"confirm": "1", "without_tracking": "on"},
    ),
    ("orders.order", "bulk_mark_delivered"): select(
        "bulk_mark_delivered", prepare=to_status("paid", "shipped")
    ),
    ("orders.order", "bulk_cancel"): select(
        "bulk_cancel", confirm={"confirm": "1", "reason": "Matrix"}
    ),
    ("orders.outboxemail", "send_again"): select("send_again"),
    ("outfits.outfit", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("outfits.outfit", "make_public"): select("make_public", prepare=publishable),
    ("outfits.outfit", "make_private"): select("make_private", prepare=public),
    ("users.user", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("users.user", "deactivate"): select("deactivate"),
    ("users.user[staff]", "deactivate"): select("deactivate"),
    ("users.user[staff]", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("auth.group", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("axes.accessattempt", "delete_selected"): select("delete_selected", confirm=DELETE),
    ("axes.accessattempt", "unlock_accounts"): select("unlock_accounts"),
}
# Actions that change nothing.
READ_ONLY_ACTIONS = {("orders.order", "print_packing_slips"): "packing slips to print"}


def test_every_bulk_action_has_a_repeat_row():
    assert set(ACTION_RECIPES) | set(READ_ONLY_ACTIONS) == set(ACTIONS)


def action_subject(label):
    if label == "orders.outboxemail":
        order = make("orders.order")
        sent_email(order)
        return order.email_for_action
    return make(label)


@pytest.mark.parametrize(("label", "action"), sorted(ACTION_RECIPES), ids=lambda v: str(v))
def test_a_bulk_action_sent_twice_applies_once(label, action, staff_user, admin_user):
    from apps.users.roles import sync_roles

    sync_roles()
    obj = action_subject(label)
    client = client_for(S, staff_user, admin_user)
    address, data = ACTION_RECIPES[(label, action)](client, obj, label)
    first, second = send_twice(client, address, data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert said_last(second).startswith("Already done"), said_last(second)


# Two pages, two submissions ------------------------------------------------------------------

# Doors whose every submission makes something new: two pages drawn, two sent, two applied.
TWICE = {
    "admin:catalog_productvariant_adjust_stock": lambda variant: variant.history.count(),
    "admin:orders_order_add_note": lambda order: order.notes.count(),
    "admin:orders_order_phone_order": lambda order: type(order).objects.count(),
    "admin:outfits_outfit_add": lambda outfit: type(outfit).objects.count(),
    "admin:catalog_productvariant_process_import": lambda variant: variant.history.count(),
}


@pytest.mark.parametrize("door", sorted(TWICE))
def test_two_pages_of_a_door_apply_twice(door, staff_user, admin_user):
    from apps.users.roles import sync_roles

    sync_roles()
    obj = the_subject(door, door)
    client = client_for(S, staff_user, admin_user)
    count = TWICE[door]
    before = count(obj)
    pages = [REPEAT[door](client, obj) for _ in range(2)]
    assert pages[0][1]["_submission"] != pages[1][1]["_submission"]
    for address, data in pages:
        response = client.post(address, fresh(data))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not said_last(response).startswith("Already done")
    assert count(obj) == before + 2


def test_recipes_cover_only_doors_that_exist():
    doors = {door for door, _ in DOORS}
    assert set(REPEAT) <= doors
    assert set(NO_EFFECT) <= {door.split("[")[0] for door in doors}


# Every form a page draws carries its key ------------------------------------------------------

LISTS = [
    (door, role)
    for door, name in DOORS
    if name.endswith(("_changelist", "_add")) and "[popup]" not in door and "[staff]" not in door
    for role in sorted(expectation(door)[0] - {"anonymous"})
]


@pytest.mark.parametrize(("door", "role"), LISTS, ids=[f"{d}-{r}" for d, r in LISTS])
def test_every_form_a_list_or_add_page_draws_carries_a_key(door, role, staff_user, admin_user):
    """As each role that may open them: a list's form (actions, editable cells, either or
    both, or neither) and an add form carry a one-time key."""
    from apps.users.roles import sync_roles

    sync_roles()
    make(subject_of(door, door))
    client = client_for(role, staff_user, admin_user)
    response = client.get(reverse(door), follow=True)  # the add page pins its key first
    assert response.status_code == 200, (door, role, response.status_code)
    posting = [
        form
        for form in forms(response.content)
        if form["attrs"].get("method", "").lower() == "post"
        and form["attrs"].get("id") != "logout-form"
    ]
    assert posting, f"{door}: no form"
    for form in posting:
        assert any(name == FIELD for name, _ in form["fields"]), (door, role, form["attrs"])
