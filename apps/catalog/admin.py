from django.contrib import admin
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline

from .models import Category, CoverageLevel, Product, ProductImage, ProductVariant


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin, MPTTModelAdmin, ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CoverageLevel)
class CoverageLevelAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["name", "description"]


class ProductVariantInline(TabularInline):
    model = ProductVariant
    extra = 0


class ProductImageInline(TabularInline):
    model = ProductImage
    extra = 0


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["name", "category", "coverage_level", "base_price", "is_featured"]
    list_filter = ["is_featured", "coverage_level"]
    list_select_related = ["category", "coverage_level"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductVariantInline, ProductImageInline]


@admin.register(ProductVariant)
class ProductVariantAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["sku", "product", "size", "color", "stock_available", "is_active"]
    list_select_related = ["product"]
    search_fields = ["=sku"]
    raw_id_fields = ["product"]
