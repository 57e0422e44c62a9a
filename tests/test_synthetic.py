import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import Category, Product, ProductImage, ProductVariant
from apps.orders.models import Order
from apps.users.models import User
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def generate(*args):
    call_command(
        "generate_synthetic",
        "--allow-without-debug",
        "--no-progress",
        *args,
        stdout=open("/dev/null", "w"),
    )


def test_generates_the_requested_volume_with_a_valid_tree():
    generate("--products", "40", "--customers", "12", "--orders", "25")
    assert Product.objects.count() == 40
    assert ProductVariant.objects.count() == 240
    assert ProductImage.objects.filter(is_feature=True).count() == 40
    assert ProductImage.objects.count() == 120
    assert User.objects.count() == 12
    assert Order.objects.count() == 25
    tree = list(Category.objects.values_list("pk", "tree_id", "lft", "rght", "level"))
    Category.objects.rebuild()
    assert list(Category.objects.values_list("pk", "tree_id", "lft", "rght", "level")) == tree
    assert Category.objects.filter(level=2).count() == 120


def test_order_totals_match_their_lines_and_sequences_move_on():
    generate("--products", "20", "--orders", "10")
    for order in Order.objects.prefetch_related("items"):
        assert order.total_price == sum(item.line_total for item in order.items.all())
    generate("--products", "5")  # a second run appends
    assert Product.objects.count() == 25
    ProductFactory()  # the ORM's next id does not collide with copied rows
    assert Product.objects.count() == 26


def test_refuses_a_production_database(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("generate_synthetic", "--products", "1")
    assert not Product.objects.exists()
