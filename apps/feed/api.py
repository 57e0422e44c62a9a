"""The storefront's read-only JSON feed (contract: shared/contracts/storefront-feed.md).

django-ninja gives typed parameters, validation and the OpenAPI document (/api/openapi.json,
interactive docs at /api/docs). Bodies are rendered once per catalog version and cached; a
conditional request is answered 304 from the version alone.
"""

import json
from decimal import Decimal
from functools import wraps
from typing import Literal
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Max, Min
from ninja import NinjaAPI, Query, Router
from ninja.errors import HttpError, ValidationError

from apps.catalog.models import CoverageLevel, ProductVariant
from apps.catalog.selectors import SEARCH_MAX_LENGTH, product_search, subtree_filter
from apps.feed import cache as feed_cache
from apps.feed import schemas
from apps.feed.render import SIZE_LABELS, Renderer
from apps.feed.selectors import (
    categories_with_products,
    outfit_detail,
    product_cards,
    public_outfits,
    search_outfits,
)
from apps.feed.visibility import visible_categories, visible_products
from backoffice.routers import feed_reads

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
PRODUCT_ORDERING = {
    "price": ("base_price", "id"),
    "-price": ("-base_price", "-id"),
    "date_added": ("date_added", "id"),
    "-date_added": ("-date_added", "-id"),
}
OUTFIT_ORDERING = {"created_at": ("created_at", "id"), "-created_at": ("-created_at", "-id")}
SIZES_IN_ORDER = [label for _, label in ProductVariant.Size.choices]

api = NinjaAPI(
    title="ModestWear storefront feed",
    version="1",
    description="Read-only catalog and community outfits for the public storefront.",
    urls_namespace="feed",
)
catalog = Router(tags=["catalog"])
outfits = Router(tags=["outfits"])


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    problems = []
    for item in error.errors:
        where = ".".join(str(part) for part in item.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


def cached_json(view):
    """Render ``view``'s payload to JSON once per catalog version and store it.

    Hits and conditional requests are answered by ``FeedCacheMiddleware`` before routing;
    this wrapper sees the misses (and answers their 304s too, for completeness).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = feed_cache.current_version()
        etag = feed_cache.etag_for(version, feed_cache.full_url(request))
        if feed_cache.not_modified(request, etag, version):
            return feed_cache.respond(request, None, etag, version)
        with feed_reads():
            payload = view(request, *args, **kwargs)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return feed_cache.store(request, version, body)

    return wrapper


def paginate(request, queryset, page: int, page_size: int):
    """A page of ``queryset`` and the contract's count/next/previous envelope."""
    page_size = min(page_size, MAX_PAGE_SIZE)
    paginator = Paginator(queryset, page_size)
    try:
        current = paginator.page(page)
    except EmptyPage:
        if page == 1:  # an empty result has one, empty, page
            current = None
        else:
            raise HttpError(
                404, f"Page {page} does not exist; the last page is {paginator.num_pages}."
            ) from None

    def link(number):
        query = {**request.GET.dict(), "page": number, "page_size": page_size}
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    envelope = {
        "count": paginator.count,
        "next": link(page + 1) if current and current.has_next() else None,
        "previous": link(page - 1) if current and current.has_previous() else None,
    }
    return (list(current.object_list) if current else []), envelope


# Catalog ---------------------------------------------------------------------------------


class ProductFilters(schemas.Schema):
    category: str | None = None
    coverage_level: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    search: str | None = None
    ordering: Literal["price", "-price", "date_added", "-date_added"] = "-date_added"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _check_paging_and_search(filters) -> None:
    """The checks every paginated, searchable list shares."""
    if filters.page < 1:
        raise HttpError(400, "page: must be 1 or more")
    if filters.page_size < 1:
        raise HttpError(400, f"page_size: must be between 1 and {MAX_PAGE_SIZE}")
    if filters.search is not None and len(filters.search) > SEARCH_MAX_LENGTH:
        raise HttpError(400, f"search: at most {SEARCH_MAX_LENGTH} characters")


def _check_product_filters(filters: ProductFilters) -> None:
    _check_paging_and_search(filters)
    for name in ("min_price", "max_price"):
        value = getattr(filters, name)
        if value is not None and (not value.is_finite() or value < 0):
            raise HttpError(400, f"{name}: must be a price of zero or more")
    if filters.min_price is not None and filters.max_price is not None:
        if filters.min_price > filters.max_price:
            raise HttpError(400, "min_price is above max_price")


def _coverage_levels(key: str) -> list[int]:
    # "full" matches "Full Coverage": the first word of the level's name.
    key = key.strip().lower()
    return [
        pk
        for pk, name in CoverageLevel.objects.values_list("pk", "name")
        if name.split() and name.split()[0].lower() == key
    ]


@catalog.api_operation(
    ["GET", "HEAD"],
    "/products/",
    response={200: schemas.ProductPage, 400: schemas.ErrorOut, 404: schemas.ErrorOut},
    summary="Paginated products",
)
@cached_json
def products(request, filters: Query[ProductFilters]):
    _check_product_filters(filters)
    queryset = visible_products()
    if filters.category:
        category = visible_categories().filter(slug=filters.category).first()
        if category is None:
            raise HttpError(400, f"category: unknown category “{filters.category}”")
        queryset = queryset.filter(subtree_filter(category))
    if filters.coverage_level:
        levels = _coverage_levels(filters.coverage_level)
        if not levels:
            raise HttpError(400, "coverage_level: must be full, moderate or light")
        queryset = queryset.filter(coverage_level__in=levels)
    if filters.min_price is not None:
        queryset = queryset.filter(base_price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(base_price__lte=filters.max_price)
    if filters.search:
        queryset = product_search(queryset, filters.search)
    queryset = product_cards(queryset.order_by(*PRODUCT_ORDERING[filters.ordering]))
    page, envelope = paginate(request, queryset, filters.page, filters.page_size)
    renderer = Renderer(request)
    return {**envelope, "results": [renderer.product(product) for product in page]}


@catalog.api_operation(
    ["GET", "HEAD"],
    "/products/{product_id}/",
    response={200: schemas.ProductDetailOut, 404: schemas.ErrorOut},
    summary="One product",
)
@cached_json
def product(request, product_id: int):
    found = (
        product_cards(visible_products().select_related("category__parent"))
        .filter(pk=product_id)
        .first()
    )
    if found is None:
        raise HttpError(404, f"No product {product_id}.")
    return Renderer(request).product_detail(found)


@catalog.api_operation(
    ["GET", "HEAD"],
    "/categories/",
    response=list[schemas.CategoryNode],
    summary="The active category tree",
)
@cached_json
def categories(request):
    nodes = {}
    roots = []
    for category in visible_categories().order_by("tree_id", "lft"):
        node = {
            "id": category.pk,
            "name": category.name,
            "slug": category.slug,
            "parent": category.parent_id,
            "is_active": True,
            "children": [],
        }
        if category.parent_id is None:
            roots.append(node)
        else:
            nodes[category.parent_id]["children"].append(node)
        nodes[category.pk] = node
    return roots


@catalog.api_operation(
    ["GET", "HEAD"], "/filters/", response=schemas.FiltersOut, summary="Filter options"
)
@cached_json
def filters(request):
    products = visible_products()
    visible_ids = products.values("pk")
    variants = ProductVariant.objects.filter(is_active=True, product__in=visible_ids)
    sizes = set(variants.order_by().values_list("size", flat=True).distinct())
    colors = sorted(set(variants.order_by().values_list("color", flat=True).distinct()))
    prices = products.aggregate(low=Min("base_price"), high=Max("base_price"))
    renderer = Renderer(request)
    return {
        "categories": [
            renderer.category(c)
            for c in categories_with_products(products).order_by("tree_id", "lft")
        ],
        "coverage_levels": [
            renderer.coverage(level)
            for level in CoverageLevel.objects.filter(
                pk__in=products.values("coverage_level_id")
            ).order_by("pk")
        ],
        "sizes": [SIZE_LABELS[size] for size in sorted(sizes)],
        "colors": colors,
        "price_range": {
            "min": float(prices["low"]) if prices["low"] is not None else None,
            "max": float(prices["high"]) if prices["high"] is not None else None,
        },
    }


# Outfits ---------------------------------------------------------------------------------


class OutfitFilters(schemas.Schema):
    search: str | None = None
    ordering: Literal["created_at", "-created_at"] = "-created_at"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@outfits.api_operation(
    ["GET", "HEAD"],
    "/public/",
    response={200: schemas.OutfitPage, 400: schemas.ErrorOut, 404: schemas.ErrorOut},
    summary="Public community outfits",
)
@cached_json
def public(request, filters: Query[OutfitFilters]):
    _check_paging_and_search(filters)
    queryset = public_outfits()
    text = " ".join((filters.search or "").replace("\x00", " ").split())
    if text:
        queryset = search_outfits(queryset, text)
    queryset = queryset.order_by(*OUTFIT_ORDERING[filters.ordering])
    page, envelope = paginate(request, queryset, filters.page, filters.page_size)
    renderer = Renderer(request)
    return {**envelope, "results": [renderer.outfit(outfit) for outfit in page]}


@outfits.api_operation(
    ["GET", "HEAD"],
    "/{outfit_id}/",
    response={200: schemas.OutfitDetailOut, 404: schemas.ErrorOut},
    summary="One public outfit",
)
@cached_json
def outfit(request, outfit_id: int):
    found = outfit_detail(_public_outfit_base()).filter(pk=outfit_id).first()
    if found is None:
        raise HttpError(404, f"No public outfit {outfit_id}.")
    return Renderer(request).outfit_detail(found)


def _public_outfit_base():
    # The detail derives its preview from its full items: no separate thumbnail query.
    return public_outfits().prefetch_related(None)


api.add_router("/catalog", catalog)
api.add_router("/outfits", outfits)
