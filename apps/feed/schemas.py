"""The feed's shapes, as the storefront contract (shared/contracts/storefront-feed.md) states
them. They document the API (OpenAPI at /api/openapi.json) and the tests validate every
response against them."""

from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

Money = Annotated[str, StringConstraints(pattern=r"^\d+\.\d{2}$")]
UtcTime = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")]
Size = Annotated[str, StringConstraints(pattern=r"^(XS|S|M|L|XL|XXL)$")]


class CategoryRef(Schema):
    id: int
    name: str
    slug: str


class CategoryWithParent(CategoryRef):
    parent: CategoryRef | None


class CoverageLevelOut(Schema):
    id: int
    name: str
    description: str


class ImageOut(Schema):
    id: int
    image: str = Field(description="Absolute URL")
    thumbnail: str | None = Field(description="Absolute URL")
    is_feature: bool


class VariantOut(Schema):
    id: int
    sku: str
    size: Size
    color: str
    stock_available: int
    is_active: bool


class ProductOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    base_price: Money
    category: CategoryRef
    coverage_level: CoverageLevelOut | None
    is_featured: bool
    in_stock: bool = Field(description="An active variant has stock (else: sold out).")
    date_added: UtcTime
    images: list[ImageOut]
    variants: list[VariantOut]


class ProductDetailOut(ProductOut):
    category: CategoryWithParent


class ProductPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ProductOut]


class CategoryNode(Schema):
    id: int
    name: str
    slug: str
    parent: int | None
    is_active: bool
    children: list["CategoryNode"]


class PriceRange(Schema):
    min: float | None
    max: float | None


class CoverageLevelOption(CoverageLevelOut):
    slug: str = Field(description="What the product list's coverage_level accepts, like the id.")


class FiltersOut(Schema):
    categories: list[CategoryRef]
    coverage_levels: list[CoverageLevelOption]
    sizes: list[Size]
    colors: list[str]
    price_range: PriceRange


class Creator(Schema):
    username: str
    profile_picture_url: str | None


class OutfitOut(Schema):
    id: int
    name: str
    description: str
    created_by: Creator
    items_count: int
    total_price: Money
    preview_images: list[str]
    created_at: UtcTime


class OutfitPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[OutfitOut]


class OutfitItemOut(Schema):
    id: int
    position: int
    product: ProductOut


class OutfitDetailOut(OutfitOut):
    updated_at: UtcTime
    items: list[OutfitItemOut]


class ErrorOut(Schema):
    detail: str
