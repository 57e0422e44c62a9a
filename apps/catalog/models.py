from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from mptt.models import MPTTModel, TreeForeignKey
from simple_history import register
from simple_history.models import HistoricalRecords

from apps.catalog.media import make_thumbnail, validate_image_upload
from apps.toolkit.guarded import TrackedModel

# One expression for the GIN index and for every query that searches products: PostgreSQL uses
# the index only when the query repeats the indexed expression exactly.
SEARCH_CONFIG = "english"

DESCRIPTION_MAX_LENGTH = 10_000


def product_search_vector() -> SearchVector:
    return SearchVector("name", "description", config=SEARCH_CONFIG)


class Category(MPTTModel, TrackedModel):
    """A node of the category tree (Clothing → Dresses → Evening Dresses).

    Deactivating a category is the soft delete: it hides the category, its subtree and their
    products from the storefront.
    """

    parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=50, unique=True)
    # "By storefront visibility" in the category list's filter; the form's checkbox label.
    is_active = models.BooleanField("storefront visibility", default=True)

    # The tree changes only through category_move (apps/catalog/services.py).
    guarded_fields = ("parent", "lft", "rght", "tree_id", "level")

    class Meta:
        db_table = "catalog_category"
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


# HistoricalRecords() in an MPTTModel body breaks saves; register it after the class instead.
register(Category)


class CoverageLevel(TrackedModel):
    """How much a garment covers (Full / Moderate / Light): the shop's core differentiator."""

    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "catalog_coveragelevel"
        ordering = ["id"]

    def __str__(self):
        return self.name


class Product(TrackedModel):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    # The shop's schema calls this column product_size_id; it points at the coverage level.
    coverage_level = models.ForeignKey(
        CoverageLevel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_column="product_size_id",
        related_name="products",
    )
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=50, unique=True)
    # Checked by the form and the import alike (the column itself is unbounded ``text``):
    # long enough for any product page, short enough for the feed's pages to stay small.
    description = models.TextField(
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    base_price = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), "A price cannot be negative.")],
    )
    is_featured = models.BooleanField("featured", default=False, db_index=True)
    date_added = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "catalog_product"
        ordering = ["-date_added", "-id"]
        indexes = [
            models.Index(fields=["category", "is_featured"], name="product_cat_featured_idx"),
            GinIndex(product_search_vector(), name="product_fulltext_idx"),
            # Part of a name ("abay"), any case: Django's icontains is UPPER(name) LIKE …,
            # which a trigram index on UPPER(name) answers (pg_trgm, migration 0014).
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="product_name_trgm_idx"),
            # The feed's orderings (newest first by default), each read forwards or backwards:
            # a page is the first rows of an index, never a sort of every visible product.
            models.Index(fields=["date_added", "id"], name="product_date_added_idx"),
            models.Index(fields=["base_price", "id"], name="product_price_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(base_price__gte=0), name="catalog_product_base_price_gte_0"
            ),
        ]

    def __str__(self):
        return self.name


class ProductVariant(TrackedModel):
    class Size(models.IntegerChoices):
        XS = 0, "XS"
        S = 1, "S"
        M = 2, "M"
        L = 3, "L"
        XL = 4, "XL"
        XXL = 5, "XXL"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    coverage = models.ForeignKey(
        CoverageLevel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
    )
    sku = models.CharField("SKU", max_length=255, unique=True)
    size = models.IntegerField(choices=Size.choices)
    color = models.CharField("colour", max_length=100)
    stock_available = models.IntegerField(
        "stock",
        default=0,
        validators=[MinValueValidator(0, "Stock cannot go below zero.")],
    )
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords()

    # Stock changes only through the stock service (apps/catalog/services.py).
    guarded_fields = ("stock_available",)

    class Meta:
        db_table = "catalog_productvariant"
        ordering = ["product_id", "size", "color"]
        permissions = [("change_stock", "Can change stock levels")]
        indexes = [
            models.Index(fields=["product", "is_active"], name="variant_product_active_idx"),
            # Part of a SKU ("UXT-001", "abaya-s"), any case; see product_name_trgm_idx.
            GinIndex(OpClass(Upper("sku"), name="gin_trgm_ops"), name="variant_sku_trgm_idx"),
            # The warehouse's low-stock list and the dashboard: lowest active stock first.
            models.Index(
                fields=["stock_available", "id"],
                condition=Q(is_active=True),
                name="variant_low_stock_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock_available__gte=0),
                name="catalog_variant_stock_gte_0",
                violation_error_message="Stock cannot go below zero.",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=0, size__lte=5), name="catalog_variant_size_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.sku} ({self.get_size_display()}, {self.color})"


class ProductImage(TrackedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        upload_to="products/", max_length=100, validators=[validate_image_upload]
    )
    thumbnail = models.ImageField(
        upload_to="products/thumbnails/",
        max_length=100,
        blank=True,
        editable=False,
        help_text="Made automatically from the image.",
    )
    is_feature = models.BooleanField(
        "feature image", default=False, help_text="The image shown in listings."
    )
    # Not in the shop's schema: the display order staff set by dragging images in the admin.
    # The database default keeps inserts by the shop's other applications working.
    position = models.PositiveSmallIntegerField(default=0, db_default=0)

    history = HistoricalRecords()

    class Meta:
        db_table = "catalog_productimage"
        # As staff dragged them. The storefront lists the feature image first whatever its
        # place (selectors.FEATURE_IMAGE_FIRST).
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(is_feature=True),
                name="catalog_productimage_one_feature",
                violation_error_message="A product has only one feature image.",
            ),
        ]

    def __str__(self):
        return self.image.name

    def save(self, *args, **kwargs):
        # A new upload (its file not yet committed to storage) gets a fresh thumbnail.
        if self.image and not getattr(self.image, "_committed", True):
            name, content = make_thumbnail(self.image.file, self.image.name)
            self.thumbnail.save(name, content, save=False)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "thumbnail"}
        super().save(*args, **kwargs)


class CatalogHealth(Product):
    """Products seen through what keeps them off the storefront (a read-only admin list)."""

    class Meta:
        proxy = True
        # Counted in the list's header: "10 products needing attention".
        verbose_name = "product needing attention"
        verbose_name_plural = "products needing attention"
