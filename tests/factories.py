"""factory_boy factories: test data with only what each test cares about spelled out."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.catalog.models import Category, CoverageLevel, Product, ProductImage, ProductVariant
from apps.orders.models import CartItem, Order, OrderItem, Wishlist
from apps.outfits.models import Outfit, OutfitItem
from apps.users.models import User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@modestwear.example")
    is_staff = True


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class CoverageLevelFactory(DjangoModelFactory):
    class Meta:
        model = CoverageLevel
        django_get_or_create = ("name",)

    name = "Full"
    description = "Covers arms, legs and neckline."


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    coverage_level = factory.SubFactory(CoverageLevelFactory)
    name = factory.Sequence(lambda n: f"Linen Abaya {n}")
    slug = factory.Sequence(lambda n: f"linen-abaya-{n}")
    description = "A flowing abaya in breathable linen."
    base_price = Decimal("79.00")


class VariantFactory(DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    coverage = factory.SelfAttribute("product.coverage_level")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    size = ProductVariant.Size.M
    color = "Sand"
    stock_available = 10


class ProductImageFactory(DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=40, height=50, color="teal")


class OrderFactory(DjangoModelFactory):
    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory)
    total_price = Decimal("0.00")
    address = "12 Market Street, Leeds LS1 6DT"


class OrderItemFactory(DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    variant = factory.SubFactory(VariantFactory)
    quantity = 1
    price_at_purchase = Decimal("79.00")


class CartItemFactory(DjangoModelFactory):
    class Meta:
        model = CartItem

    user = factory.SubFactory(UserFactory)
    variant = factory.SubFactory(VariantFactory)
    quantity = 1


class WishlistFactory(DjangoModelFactory):
    class Meta:
        model = Wishlist

    user = factory.SubFactory(UserFactory)
    variant = factory.SubFactory(VariantFactory)


class OutfitFactory(DjangoModelFactory):
    class Meta:
        model = Outfit

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Outfit {n}")


class OutfitItemFactory(DjangoModelFactory):
    class Meta:
        model = OutfitItem

    outfit = factory.SubFactory(OutfitFactory)
    product = factory.SubFactory(ProductFactory)
