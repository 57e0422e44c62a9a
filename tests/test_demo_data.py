"""The demo data: loads, loads again without duplicating, and shows every case staff meet."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from apps.catalog.models import Category, CoverageLevel, Product, ProductImage, ProductVariant
from apps.orders.models import CartItem, Order, OrderStatus, Wishlist
from apps.outfits.models import Outfit
from apps.users.models import User

pytestmark = pytest.mark.django_db


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"users", "catalog", "orders", "outfits", "auth"}
    }


def tree_snapshot():
    return list(
        Category.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level")
    )


def test_loading_twice_neither_fails_nor_duplicates(demo_data):
    before = row_counts()
    call_command("load_demo", "--allow-without-debug", stdout=open("/dev/null", "w"))
    assert row_counts() == before


def test_the_category_tree_is_valid_and_three_levels_deep(demo_data):
    loaded = tree_snapshot()
    Category.objects.rebuild()
    assert tree_snapshot() == loaded
    evening = Category.objects.get(slug="evening-dresses")
    assert [c.name for c in evening.get_ancestors(include_self=True)] == [
        "Clothing",
        "Dresses",
        "Evening Dresses",
    ]
    assert Category.objects.filter(is_active=False).exists()


def test_the_catalog_has_every_case_staff_meet(demo_data):
    assert list(CoverageLevel.objects.values_list("name", flat=True)) == [
        "Full Coverage",
        "Moderate Coverage",
        "Light Coverage",
    ]
    assert all(CoverageLevel.objects.values_list("description", flat=True))
    assert Product.objects.count() >= 40
    assert Product.objects.filter(is_featured=True).exists()
    variants = ProductVariant.objects
    assert variants.filter(stock_available=0).exists()
    assert variants.filter(stock_available__range=(1, 5)).exists()
    assert variants.filter(is_active=False).exists()
    assert ProductImage.objects.filter(is_feature=True).count() >= 40
    assert not ProductImage.objects.filter(thumbnail="").exists()


def test_images_and_thumbnails_exist_in_storage(demo_data):
    image = ProductImage.objects.first()
    assert image.image.storage.exists(image.image.name)
    assert image.thumbnail.storage.exists(image.thumbnail.name)


def test_orders_carts_wishlists_and_outfits(demo_data):
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    for order in Order.objects.prefetch_related("items"):
        assert order.items.exists()
        assert order.total_price == sum(item.line_total for item in order.items.all())
    assert CartItem.objects.filter(user__isnull=False).exists()
    assert CartItem.objects.filter(user__isnull=True, session_key__isnull=False).exists()
    assert Wishlist.objects.exists()
    assert {True, False} <= set(Outfit.objects.values_list("is_public", flat=True))


def test_one_staff_account_per_role_with_the_demo_password(demo_data):
    for email, role in [
        ("merch@modestwear.example", "Merchandising"),
        ("warehouse@modestwear.example", "Warehouse"),
        ("support@modestwear.example", "Support"),
    ]:
        user = User.objects.get(email=email)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password("modestwear-demo")
    admin = User.objects.get(email="admin@modestwear.example")
    assert admin.is_superuser and admin.check_password("modestwear-demo")
    assert Group.objects.count() == 3


def test_every_demo_object_has_history(demo_data):
    assert Product.history.count() == Product.objects.count()
    assert Category.history.count() == Category.objects.count()


def test_refuses_to_load_known_passwords_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_if_empty_leaves_an_existing_catalog_alone(demo_data):
    Product.objects.update(name="Edited in the demo")
    call_command("load_demo", "--allow-without-debug", "--if-empty", stdout=open("/dev/null", "w"))
    assert not Product.objects.exclude(name="Edited in the demo").exists()


def test_the_search_boxes_examples_find_something_in_the_shop(demo_data, client_as):
    import re

    from django.urls import reverse

    from apps.catalog.admin.products import ProductAdmin
    from apps.catalog.admin.stock import ProductVariantAdmin

    client = client_as("superuser")
    for admin_class, url in [
        (ProductAdmin, "admin:catalog_product_changelist"),
        (ProductVariantAdmin, "admin:catalog_productvariant_changelist"),
    ]:
        examples = re.search(r"\(([^)]*)\)\.?$", admin_class.search_help_text).group(1)
        for example in examples.split(", "):
            found = client.get(reverse(url), {"q": example}).context["cl"].result_count
            assert found > 0, f"{admin_class.__name__}: the example “{example}” finds nothing"
