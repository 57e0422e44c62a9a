"""Staff roles: one group per kind of work, with the least privilege that work needs.

Permissions are codenames per ``app_label.model``. ``sync_roles`` makes the groups match this
table exactly (it also removes permissions that were granted by hand), so it is safe to run on
every deploy.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

VIEW = ("view",)
EDIT = ("view", "add", "change")
FULL = ("view", "add", "change", "delete")

MERCHANDISING = "Merchandising"
WAREHOUSE = "Warehouse"
SUPPORT = "Support"

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    MERCHANDISING: {
        "catalog.category": FULL,
        "catalog.coveragelevel": FULL,
        "catalog.product": FULL,
        "catalog.productimage": FULL,
        "catalog.cataloghealth": VIEW,
        # Variants yes, stock counts no: that needs catalog.change_stock.
        "catalog.productvariant": EDIT,
        "outfits.outfit": ("view", "change"),
        "outfits.outfititem": FULL,
        "orders.wishlist": VIEW,
        "orders.mostwishlisted": VIEW,
    },
    WAREHOUSE: {
        "catalog.category": VIEW,
        "catalog.coveragelevel": VIEW,
        "catalog.product": VIEW,
        "catalog.productimage": VIEW,
        "catalog.productvariant": ("view", "change", "change_stock"),
    },
    SUPPORT: {
        "catalog.category": VIEW,
        "catalog.coveragelevel": VIEW,
        "catalog.product": VIEW,
        "catalog.productimage": VIEW,
        "catalog.productvariant": VIEW,
        "orders.order": EDIT,
        "orders.orderitem": VIEW,
        "orders.outboxemail": VIEW,
        "orders.cartitem": VIEW,
        "orders.wishlist": VIEW,
        "orders.mostwishlisted": VIEW,
        "users.user": ("view", "change"),
        "outfits.outfit": VIEW,
        "outfits.outfititem": VIEW,
    },
}


def _codename(action: str, model: str) -> str:
    # Custom permissions (change_stock) are written in full; the CRUD ones get the model name.
    return action if "_" in action else f"{action}_{model}"


def role_permissions(role: str) -> list[Permission]:
    query = Q(pk__in=[])
    for label, actions in ROLE_PERMISSIONS[role].items():
        app_label, model = label.split(".")
        codenames = [_codename(action, model) for action in actions]
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    permissions = list(Permission.objects.filter(query))
    expected = sum(len(actions) for actions in ROLE_PERMISSIONS[role].values())
    if len(permissions) != expected:
        raise LookupError(
            f"{role}: expected {expected} permissions, found {len(permissions)}; run migrate first."
        )
    return permissions


@transaction.atomic
def sync_roles() -> list[Group]:
    groups = []
    for role in ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))
        groups.append(group)
    return groups
