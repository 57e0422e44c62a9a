import pytest

from tests.factories import (
    CategoryFactory,
    CoverageLevelFactory,
    OutfitFactory,
    OutfitItemFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
    VariantFactory,
)


@pytest.fixture
def shop(db):
    """A small visible catalog, a hidden corner of it, and two outfits."""
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    dresses = CategoryFactory(name="Dresses", slug="dresses", parent=clothing)
    evening = CategoryFactory(name="Evening Dresses", slug="evening-dresses", parent=dresses)
    archive = CategoryFactory(name="Archive", slug="archive", is_active=False)
    old = CategoryFactory(name="Winter 2023", slug="winter-2023", parent=archive)
    full = CoverageLevelFactory(name="Full Coverage", description="Covers all.")
    light = CoverageLevelFactory(name="Light Coverage", description="Layers.")
    gown = ProductFactory(
        name="Evening Gown",
        slug="evening-gown",
        category=evening,
        coverage_level=full,
        base_price="1299.99",
        description="Floor-length crepe dresses for evenings.",
    )
    maxi = ProductFactory(
        name="Maxi Dress",
        slug="maxi-dress",
        category=dresses,
        coverage_level=light,
        base_price="59.00",
        description="Cotton.",
    )
    tunic = ProductFactory(
        name="Linen Tunic",
        slug="linen-tunic",
        category=clothing,
        coverage_level=None,
        base_price="35.50",
        description="Linen.",
    )
    hidden = ProductFactory(
        name="Old Coat", slug="old-coat", category=old, base_price="10.00", coverage_level=light
    )
    for product in (gown, maxi, tunic, hidden):
        ProductImageFactory(product=product, is_feature=True)
    ProductImageFactory(product=gown, is_feature=False, position=1)
    VariantFactory(product=gown, sku="GWN-M-BLK", size=2, color="Black", stock_available=4)
    VariantFactory(product=gown, sku="GWN-L-BLK", size=3, color="Black", is_active=False)
    VariantFactory(product=maxi, sku="MXI-S-NVY", size=1, color="Navy")
    # Sold out, still shown (as sold out).
    VariantFactory(product=tunic, sku="TUN-M-SND", size=2, color="Sand", stock_available=0)
    # No active variant: not shown, although its category is.
    ghost = ProductFactory(
        name="Ghost Scarf", slug="ghost-scarf", category=clothing, coverage_level=light
    )
    VariantFactory(product=ghost, sku="GHO-S-GRY", size=1, color="Grey", is_active=False)
    fatima = UserFactory(email="fatima@example.com", phone_number="07700900555")
    public = OutfitFactory(user=fatima, name="Summer Modest Style", is_public=True)
    for position, product in enumerate([maxi, gown, tunic, hidden]):
        OutfitItemFactory(outfit=public, product=product, position=position)
    private = OutfitFactory(user=fatima, name="Secret", is_public=False)
    OutfitItemFactory(outfit=private, product=maxi)
    return {
        "categories": {c.slug: c for c in (clothing, dresses, evening, archive, old)},
        "products": {p.slug: p for p in (gown, maxi, tunic, hidden, ghost)},
        "outfits": {"public": public, "private": private},
        "levels": {"full": full, "light": light},
    }


@pytest.fixture(autouse=True)
def _feed_sees_each_change_at_once(request, settings):
    """A test never commits, so the catalog version's deferred trigger (feed/0001) would
    never fire: make it fire at each statement; and read the version on every request."""
    settings.FEED_VERSION_TTL = 0
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        yield
        return
    from django.db import connection

    request.getfixturevalue("_django_db_helper")  # inside the test's transaction

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS feed_catalog_version_bump IMMEDIATE")
    yield


@pytest.fixture(autouse=True)
def _feed_alias_shares_the_test_transaction(request):
    """In production "feed" is its own connection (replica or primary with a timeout). A test
    runs in one uncommitted transaction, so here "feed" uses the default connection and sees
    the test's rows; tests/test_routing.py checks the real separate connection."""
    from django.db import connections

    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    original = connections["feed"]
    connections["feed"] = connections["default"]
    yield
    connections["feed"] = original
