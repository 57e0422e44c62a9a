"""The products feed as an idiomatic Django REST framework app: the yardstick for bench/feed.py.

The same contract (shared/contracts/storefront-feed.md) for ``GET products/`` and
``GET products/{id}/``, written the way the DRF tutorial and docs teach it: nested
ModelSerializers, generic views, PageNumberPagination and one ``get_queryset`` with
``select_related`` and ``Prefetch``. It is benchmark code only; the storefront is served by
apps/feed (django-ninja).
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import path
from django.views.decorators.cache import cache_page
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from apps.catalog.models import Category, CoverageLevel, Product, ProductImage, ProductVariant

UTC_SECONDS = "%Y-%m-%dT%H:%M:%SZ"  # the contract's times: no microseconds, "Z"


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class CategoryWithParentSerializer(CategorySerializer):
    parent = CategorySerializer(allow_null=True)

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "parent"]


class CoverageLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoverageLevel
        fields = ["id", "name", "description"]


class ImageSerializer(serializers.ModelSerializer):
    # DRF's ImageField answers request.build_absolute_uri(storage URL) when the request is
    # in the serializer's context, as the generic views put it.
    class Meta:
        model = ProductImage
        fields = ["id", "image", "thumbnail", "is_feature"]


class VariantSerializer(serializers.ModelSerializer):
    size = serializers.CharField(source="get_size_display")

    class Meta:
        model = ProductVariant
        fields = ["id", "sku", "size", "color", "stock_available", "is_active"]


class ProductSerializer(serializers.ModelSerializer):
    category = CategorySerializer()
    coverage_level = CoverageLevelSerializer(allow_null=True)
    date_added = serializers.DateTimeField(format=UTC_SECONDS)
    images = ImageSerializer(many=True, source="ordered_images")
    variants = VariantSerializer(many=True, source="active_variants")

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "base_price",
            "category",
            "coverage_level",
            "is_featured",
            "date_added",
            "images",
            "variants",
        ]


class ProductDetailSerializer(ProductSerializer):
    category = CategoryWithParentSerializer()


class ProductPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def visible_products():
    """Shown products with what a card needs: the category and every ancestor active (MPTT
    bounds), at least one active variant; feature image first, active variants only."""
    hidden_ancestor = Category.objects.filter(
        is_active=False,
        tree_id=OuterRef("category__tree_id"),
        lft__lte=OuterRef("category__lft"),
        rght__gte=OuterRef("category__rght"),
    )
    active_variant = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
    return (
        Product.objects.filter(Exists(active_variant))
        .exclude(Exists(hidden_ancestor))
        .select_related("category", "coverage_level")
        .prefetch_related(
            Prefetch(
                "images",
                queryset=ProductImage.objects.order_by("-is_feature", "position", "id"),
                to_attr="ordered_images",
            ),
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.filter(is_active=True),
                to_attr="active_variants",
            ),
        )
        .order_by("-date_added", "-id")
    )


class PublicReadOnly:
    """A public, read-only JSON API: no sessions or logins to look at, JSON only."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


class ProductList(PublicReadOnly, generics.ListAPIView):
    serializer_class = ProductSerializer
    pagination_class = ProductPagination

    def get_queryset(self):
        return visible_products()


class ProductDetail(PublicReadOnly, generics.RetrieveAPIView):
    serializer_class = ProductDetailSerializer

    def get_queryset(self):
        return visible_products().select_related("category__parent")


def urlpatterns_under(prefix: str, cached: bool = False) -> list:
    """The two endpoints under ``prefix``; with ``cached``, wrapped in ``cache_page(60)``."""
    wrap = cache_page(60) if cached else (lambda view: view)
    return [
        path(f"{prefix}catalog/products/", wrap(ProductList.as_view())),
        path(f"{prefix}catalog/products/<int:pk>/", wrap(ProductDetail.as_view())),
    ]
