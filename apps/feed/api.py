"""The storefront's read-only JSON feed (contract: shared/contracts/storefront-feed.md, plus the
additions listed in the README).

django-ninja gives typed parameters (apps/feed/params.py), validation and the OpenAPI document
(/api/openapi.json, interactive docs at /api/docs). Bodies are rendered once per catalog
version and cached (apps/feed/cache.py); what is shown is apps/feed/visibility.py's rule.
"""

import hashlib
import json
import logging
from functools import wraps

from django.db import OperationalError
from django.db.models import Max, Min, Q
from django.utils.text import slugify
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import HttpError, ValidationError

from apps.catalog.models import CoverageLevel
from apps.catalog.selectors import product_search, subtree_filter
from apps.feed import cache as feed_cache
from apps.feed import schemas, selectors
from apps.feed.params import OutfitId, OutfitQuery, ProductId, ProductQuery, SlugParam
from apps.feed.render import SIZE_LABELS, Renderer
from apps.feed.selectors import (
    categories_with_products,
    product_rows,
    public_outfits,
    search_outfits,
    with_variant,
)
from apps.feed.visibility import (
    in_stock,
    visible_categories,
    visible_items,
    visible_outfits,
    visible_products,
    visible_variants,
)
from backoffice.routers import feed_reads

logger = logging.getLogger(__name__)
PRODUCT_ORDERING = {
    "price": ("base_price", "id"),
    "-price": ("-base_price", "-id"),
    "date_added": ("date_added", "id"),
    "-date_added": ("-date_added", "-id"),
}
OUTFIT_ORDERING = {"created_at": ("created_at", "id"), "-created_at": ("-created_at", "-id")}
PATH_PRODUCT_ID = Path(..., description="The product's id.")
PATH_OUTFIT_ID = Path(..., description="The outfit's id.")
PATH_SLUG = Path(..., description="The product's slug, as the product list gives it.")
ERRORS = {400: schemas.ErrorOut, 404: schemas.ErrorOut, 405: schemas.ErrorOut}


class FeedAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        # Every operation answers GET and HEAD; the document lists each operation once.
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            operations.pop("head", None)
        return schema


api = FeedAPI(
    title="ModestWear storefront feed",
    version="1.1",
    description="Read-only catalog and community outfits for the public storefront. Every "
    'operation also answers HEAD. Errors are JSON: `{"detail": "…"}`.',
    urls_namespace="feed",
)
catalog = Router(tags=["catalog"])
outfits = Router(tags=["outfits"])


@api.exception_handler(OperationalError)
def database_unavailable(request, error):
    # A statement cut off by the feed's timeout (a long lock) or a lost connection: the
    # storefront should retry shortly, not show a server error.
    logger.warning("Feed database error: %s", error)
    response = api.create_response(
        request, {"detail": "The catalog is busy; try again in a few seconds."}, status=503
    )
    response["Retry-After"] = "5"
    return response


def _plain(item: dict) -> str:
    """Pydantic's message, in the words a storefront developer expects."""
    context = item.get("ctx") or {}
    return {
        "greater_than_equal": f"must be {context.get('ge')} or more",
        "less_than_equal": f"must be {context.get('le')} or less",
        "string_too_long": f"at most {context.get('max_length')} characters",
        "too_long": f"at most {context.get('max_length')} characters",
        "string_pattern_mismatch": "letters, digits, hyphens and underscores only",
        "literal_error": f"must be {context.get('expected')}",
    }.get(item.get("type"), item.get("msg", "invalid").removeprefix("Value error, "))


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    problems = []
    for item in error.errors:
        # ("query", "size", 0) -> "size": the parameter's name, as the storefront spells it.
        parts = [str(part) for part in item.get("loc", ())[1:] if not isinstance(part, int)]
        where = ".".join(part for part in parts if part != "query") or "request"
        problems.append(f"{where}: {_plain(item)}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


def cached_json(query=None):
    """Render the view's payload to JSON once per catalog version and store it.

    Hits are answered by ``FeedCacheMiddleware`` before routing; this wrapper sees misses.
    ``query``: the schema of the view's parameters, from which the cache key is built.
    """

    def decorate(view):
        feed_cache.CACHED_OPERATIONS[view.__name__] = query

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = getattr(request, "feed_cache_key", None) or feed_cache.request_key(request)
            version = request.feed_version = feed_cache.request_version(request)
            with feed_reads():
                payload = view(request, *args, **kwargs)
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            if key is not None:
                feed_cache.store(key, version, body)
            return feed_cache.respond(request, body, key, version)

        return wrapper

    return decorate


def paginate(request, rows_of, queryset, query, count_key: str):
    """A page of ``queryset`` (rows built by ``rows_of``) and the contract's envelope.

    The count is kept per catalog version and filter: every page of a list shares it."""
    version = feed_cache.request_version(request)
    count = feed_cache.cached_value(count_key, version.tag, queryset.count)
    pages = max(1, -(-count // query.page_size))
    if query.page > pages:
        raise HttpError(404, f"Page {query.page} does not exist; the last page is {pages}.")
    start = (query.page - 1) * query.page_size
    rows = rows_of(queryset, start, query.page_size)

    def link(number):
        params = request.GET.copy()  # repeated parameters (size=S&size=M) stay repeated
        params["page"], params["page_size"] = str(number), str(query.page_size)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    envelope = {
        "count": count,
        "next": link(query.page + 1) if query.page < pages else None,
        "previous": link(query.page - 1) if query.page > 1 else None,
    }
    return rows, envelope


def _count_key(request, query) -> str:
    filters = query.model_dump(mode="json", exclude={"page", "page_size", "ordering"})
    spelled = f"{request.path}\n{json.dumps(filters, sort_keys=True)}"
    return f"feed:count:{hashlib.sha256(spelled.encode()).hexdigest()}"


# Catalog ---------------------------------------------------------------------------------


def coverage_slug(pk: int, name: str) -> str:
    """What the filters endpoint offers for a coverage level: its name as a slug, or its id
    when the name makes no slug or one that reads as an id."""
    slug = slugify(name, allow_unicode=True)
    return slug if slug and not slug.isdigit() else str(pk)


def coverage_levels_matching(key: str) -> list[int]:
    """Coverage levels named by ``key``, most exact first: an id, a slug ("full-coverage"),
    else the first word of the name ("full", as the contract has it)."""
    key = key.strip().lower()
    levels = list(CoverageLevel.objects.values_list("pk", "name"))
    for matches in (
        lambda pk, name: key == str(pk),
        lambda pk, name: key == coverage_slug(pk, name),
        lambda pk, name: key == (name.split() or [""])[0].lower(),
    ):
        found = [pk for pk, name in levels if matches(pk, name)]
        if found:
            return found
    return []


def filtered_products(query: ProductQuery):
    if query.min_price is not None and query.max_price is not None:
        if query.min_price > query.max_price:
            raise HttpError(400, "min_price is above max_price")
    queryset = visible_products()
    if query.category:
        category = visible_categories().filter(slug=query.category).first()
        if category is None:
            raise HttpError(400, f"category: unknown category “{query.category}”")
        queryset = queryset.filter(subtree_filter(category))
    if query.coverage_level:
        levels = coverage_levels_matching(query.coverage_level)
        if not levels:
            raise HttpError(
                400, "coverage_level: no such coverage level (see /api/catalog/filters/)"
            )
        queryset = queryset.filter(coverage_level__in=levels)
    if query.min_price is not None:
        queryset = queryset.filter(base_price__gte=query.min_price)
    if query.max_price is not None:
        queryset = queryset.filter(base_price__lte=query.max_price)
    if query.size or query.color:
        sizes = [size for size, label in SIZE_LABELS.items() if label in (query.size or ())]
        queryset = queryset.filter(with_variant(sizes, query.color))
    if query.featured is not None:
        queryset = queryset.filter(is_featured=query.featured)
    if query.in_stock is not None:
        queryset = queryset.filter(in_stock() if query.in_stock else ~Q(in_stock()))
    if query.search:
        queryset = product_search(queryset, query.search)
    return queryset


@catalog.api_operation(
    ["GET", "HEAD"],
    "/products/",
    response={200: schemas.ProductPage, **ERRORS},
    summary="Paginated products",
)
@cached_json(query=ProductQuery)
def products(request, query: Query[ProductQuery]):
    renderer = Renderer(request)
    order = PRODUCT_ORDERING[query.ordering]
    queryset = filtered_products(query).order_by(*order)
    unfiltered = not query.model_dump(exclude={"ordering", "page", "page_size"}, exclude_none=True)

    def rows_of(queryset, start, size):
        if unfiltered:  # the list asked for most: its SQL compiled once per process
            return renderer.products(selectors.unfiltered_page(order, size, start))
        return renderer.products(product_rows(queryset[start : start + size]))

    rows, envelope = paginate(request, rows_of, queryset, query, _count_key(request, query))
    return {**envelope, "results": rows}


def _one_product(request, rows):
    if not rows:
        raise HttpError(404, "No such product in the storefront.")
    return Renderer(request).products(rows)[0]


@catalog.api_operation(
    ["GET", "HEAD"],
    "/products/by-slug/{slug}/",
    response={200: schemas.ProductDetailOut, **ERRORS},
    summary="One product, by its slug",
)
@cached_json()
def product_by_slug(request, slug: SlugParam = PATH_SLUG):
    return _one_product(request, selectors.product_by_slug.rows(slug))


@catalog.api_operation(
    ["GET", "HEAD"],
    "/products/{product_id}/",
    response={200: schemas.ProductDetailOut, **ERRORS},
    summary="One product",
)
@cached_json()
def product(request, product_id: ProductId = PATH_PRODUCT_ID):
    return _one_product(request, selectors.product_by_id.rows(product_id))


@catalog.api_operation(
    ["GET", "HEAD"],
    "/categories/",
    response={200: list[schemas.CategoryNode], **ERRORS},
    summary="The active category tree",
)
@cached_json()
def categories(request):
    nodes, roots = {}, []
    rows = (
        visible_categories()
        .order_by("tree_id", "lft")
        .values_list("pk", "name", "slug", "parent_id")
    )
    for pk, name, slug, parent in rows:
        node = {"id": pk, "name": name, "slug": slug, "parent": parent, "is_active": True}
        node["children"] = []
        if parent is not None and parent not in nodes:
            # Moved by parent alone (another application) while the tree columns still say
            # otherwise: left out until the tree is rebuilt, rather than a broken answer.
            logger.warning("Category %s is out of place in the tree; rebuild it.", pk)
            continue
        (roots if parent is None else nodes[parent]["children"]).append(node)
        nodes[pk] = node
    return roots


@catalog.api_operation(
    ["GET", "HEAD"],
    "/filters/",
    response={200: schemas.FiltersOut, **ERRORS},
    summary="Filter options: exactly the values the product list accepts",
)
@cached_json()
def filters(request):
    products = visible_products()
    variants = visible_variants().filter(product__in=products.values("pk")).order_by()
    sizes = set(variants.values_list("size", flat=True).distinct())
    colors = sorted(set(variants.values_list("color", flat=True).distinct()))
    prices = products.aggregate(low=Min("base_price"), high=Max("base_price"))
    levels = CoverageLevel.objects.filter(pk__in=products.values("coverage_level_id"))
    return {
        "categories": [
            Renderer.category(c)
            for c in categories_with_products(products).order_by("tree_id", "lft")
        ],
        "coverage_levels": [
            {**Renderer.coverage(level), "slug": coverage_slug(level.pk, level.name)}
            for level in levels.order_by("pk")
        ],
        "sizes": [SIZE_LABELS[size] for size in sorted(sizes)],
        "colors": colors,
        "price_range": {
            "min": float(prices["low"]) if prices["low"] is not None else None,
            "max": float(prices["high"]) if prices["high"] is not None else None,
        },
    }


# Outfits ---------------------------------------------------------------------------------


@outfits.api_operation(
    ["GET", "HEAD"],
    "/public/",
    response={200: schemas.OutfitPage, **ERRORS},
    summary="Public community outfits",
)
@cached_json(query=OutfitQuery)
def public(request, query: Query[OutfitQuery]):
    queryset = public_outfits()
    text = " ".join((query.search or "").split())
    if text:
        queryset = search_outfits(queryset, text)
    renderer = Renderer(request)
    rows, envelope = paginate(
        request,
        lambda page, start, size: [
            renderer.outfit_summary(outfit) for outfit in page[start : start + size]
        ],
        queryset.order_by(*OUTFIT_ORDERING[query.ordering]),
        query,
        _count_key(request, query),
    )
    return {**envelope, "results": rows}


@outfits.api_operation(
    ["GET", "HEAD"],
    "/{outfit_id}/",
    response={200: schemas.OutfitDetailOut, **ERRORS},
    summary="One public outfit",
)
@cached_json()
def outfit(request, outfit_id: OutfitId = PATH_OUTFIT_ID):
    found = visible_outfits().select_related("user").filter(pk=outfit_id).first()
    if found is None:
        raise HttpError(404, f"No public outfit {outfit_id}.")
    items = list(visible_items().filter(outfit=found).order_by("position", "pk"))
    renderer = Renderer(request)
    rows = product_rows(visible_products().filter(pk__in=[item.product_id for item in items]))
    products = {product["id"]: product for product in renderer.products(rows)}
    # A product hidden between the two reads leaves with its item.
    items = [item for item in items if item.product_id in products]
    return renderer.outfit_detail(found, items, products)


api.add_router("/catalog", catalog)
api.add_router("/outfits", outfits)
