import pytest
from django.db.models import Q
from django.urls import reverse

from apps.catalog.models import Category
from apps.catalog.services import CategoryMoveError, MovePosition, category_move
from apps.feed.visibility import visible_categories
from tests.actors import system
from tests.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.pages import form_of, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    clothing = CategoryFactory(name="Clothing")
    dresses = CategoryFactory(name="Dresses", parent=clothing)
    evening = CategoryFactory(name="Evening Dresses", parent=dresses)
    abayas = CategoryFactory(name="Abayas", parent=clothing)
    hijabs = CategoryFactory(name="Hijabs")
    ProductFactory.create_batch(2, category=evening)
    ProductFactory(category=dresses)
    return {c.name: c for c in (clothing, dresses, evening, abayas, hijabs)}


def tree_is_valid():
    before = list(Category.objects.values_list("pk", "tree_id", "lft", "rght", "level"))
    Category.objects.rebuild()
    return before == list(Category.objects.values_list("pk", "tree_id", "lft", "rght", "level"))


def test_changelist_is_an_indented_tree_with_subtree_product_counts(client_as, tree):
    response = client_as("merchandising").get(reverse("admin:catalog_category_changelist"))
    rows = [(c.name, c.level, c.product_total) for c in response.context["cl"].result_list]
    assert rows == [
        ("Clothing", 0, 3),
        ("Dresses", 1, 3),
        ("Evening Dresses", 2, 2),
        ("Abayas", 1, 0),
        ("Hijabs", 0, 0),
    ]
    assert "padding-left:3.0rem" in response.content.decode()


@pytest.mark.parametrize("order", ["1", "-1", "2", "-2.1"])
def test_the_tree_cannot_be_sorted_out_of_its_order(client_as, tree, order):
    response = client_as("merchandising").get(
        reverse("admin:catalog_category_changelist"), {"o": order}
    )
    names = [c.name for c in response.context["cl"].result_list]
    assert names == ["Clothing", "Dresses", "Evening Dresses", "Abayas", "Hijabs"]
    assert "sortable" not in " ".join(
        h.get("class_attrib", "") for h in response.context["result_headers"]
    )


@pytest.mark.parametrize(
    ("target", "position", "expected_parent", "order_under_parent"),
    [
        ("Hijabs", MovePosition.LAST_CHILD, "Hijabs", ["Dresses"]),
        ("Abayas", MovePosition.RIGHT, "Clothing", ["Abayas", "Dresses"]),
        ("Abayas", MovePosition.FIRST_CHILD, "Abayas", ["Dresses"]),
        (None, MovePosition.LAST_CHILD, None, None),
    ],
)
def test_moving_a_category_keeps_the_tree_valid(
    tree, target, position, expected_parent, order_under_parent
):
    dresses = tree["Dresses"]
    category_move(category=dresses, target=tree.get(target), position=position, actor=system())
    dresses.refresh_from_db()
    assert (dresses.parent.name if dresses.parent else None) == expected_parent
    assert [c.name for c in dresses.get_children()] == ["Evening Dresses"]
    if order_under_parent:
        assert [c.name for c in dresses.parent.get_children()] == order_under_parent
    assert tree_is_valid()
    assert dresses.history.first().history_change_reason.startswith("Moved")


@pytest.mark.parametrize("target", ["Dresses", "Evening Dresses"])
def test_a_category_cannot_move_into_itself(tree, target):
    with pytest.raises(CategoryMoveError, match="cannot be moved under"):
        category_move(
            category=tree["Dresses"], target=tree[target], position="last-child", actor=system()
        )
    assert Category.objects.get(name="Dresses").parent == tree["Clothing"]
    assert tree_is_valid()


def test_the_move_page_moves_and_reports_errors(client_as, tree):
    client = client_as("merchandising")
    url = reverse("admin:catalog_category_move_category", args=[tree["Dresses"].pk])
    page, form = form_of(client, url, containing="target")
    refused = client.post(page, {**form, "target": tree["Evening Dresses"].pk})
    assert refused.status_code == 200
    assert "cannot be moved under" in refused.content.decode()
    moved = client.post(page, {**form, "target": tree["Hijabs"].pk, "position": "first-child"})
    assert moved.status_code == 302
    assert Category.objects.get(name="Dresses").parent.name == "Hijabs"
    assert tree_is_valid()


def test_support_cannot_move_categories(client_as, tree):
    url = reverse("admin:catalog_category_move_category", args=[tree["Dresses"].pk])
    client_as("support").post(url, {"target": tree["Hijabs"].pk, "position": "first-child"})
    assert Category.objects.get(name="Dresses").parent.name == "Clothing"


def test_hiding_a_category_hides_its_subtree_from_the_storefront(client_as, tree):
    client = client_as("merchandising")
    changelist = reverse("admin:catalog_category_changelist")
    asked = client.post(
        changelist, {"action": "hide_from_storefront", "_selected_action": [tree["Dresses"].pk]}
    )
    assert asked.status_code == 200  # the question first: what leaves the storefront
    assert set(visible_categories().values_list("name", flat=True)) == set(tree)
    response = client.post(changelist, {**post_form(asked.content), "confirm": "1"}, follow=True)
    assert "1 category hidden, with its subcategories and products." in response.content.decode()
    visible = set(visible_categories().values_list("name", flat=True))
    assert visible == {"Clothing", "Abayas", "Hijabs"}
    assert Category.objects.get(name="Evening Dresses").is_active  # its own flag is kept
    client.post(
        reverse("admin:catalog_category_changelist"),
        {"action": "show_in_storefront", "_selected_action": [tree["Dresses"].pk]},
    )
    assert visible_categories().count() == 5


def test_deleting_a_category_with_products_is_refused_with_the_reason(client_as, tree):
    client = client_as("merchandising")
    url = reverse("admin:catalog_category_delete", args=[tree["Evening Dresses"].pk])
    page = client.get(url).content.decode()
    assert "would require deleting the following protected related objects" in page
    client.post(url, {"post": "yes"})
    assert Category.objects.filter(name="Evening Dresses").exists()


def test_an_empty_leaf_category_can_be_deleted(client_as, tree):
    client = client_as("merchandising")
    client.post(reverse("admin:catalog_category_delete", args=[tree["Abayas"].pk]), {"post": "yes"})
    assert not Category.objects.filter(name="Abayas").exists()
    assert tree_is_valid()


def test_adding_a_category_under_a_parent(client_as, tree):
    client = client_as("merchandising")
    response = client.post(
        reverse("admin:catalog_category_add"),
        {
            "name": "Maxi Dresses",
            "slug": "maxi-dresses",
            "parent": tree["Dresses"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    maxi = Category.objects.get(slug="maxi-dresses")
    assert maxi.parent == tree["Dresses"] and maxi.level == 2
    assert tree_is_valid()
    duplicate = client.post(
        reverse("admin:catalog_category_add"), {"name": "Maxi", "slug": "maxi-dresses"}
    )
    assert "already exists" in duplicate.content.decode()


def test_subtree_totals_match_a_count_per_subtree(demo_data):
    from apps.catalog.models import Product
    from apps.catalog.selectors import subtree_filter, subtree_product_totals
    from apps.feed.visibility import product_shown, visible_products

    totals = subtree_product_totals(all=Q(), shown=product_shown())
    for category in Category.objects.all():
        assert totals[category.pk]["all"] == (
            Product.objects.filter(subtree_filter(category)).count()
        )
        assert totals[category.pk]["shown"] == (
            visible_products().filter(subtree_filter(category)).count()
        )


def test_coverage_levels_list_their_products_and_variants(client_as):
    from apps.catalog.models import CoverageLevel
    from tests.factories import CoverageLevelFactory, VariantFactory

    full = CoverageLevelFactory(name="Full Coverage")
    CoverageLevelFactory(name="Light Coverage")
    product = ProductFactory(coverage_level=full)
    VariantFactory.create_batch(3, product=product, coverage=full)
    response = client_as("merchandising").get(reverse("admin:catalog_coveragelevel_changelist"))
    rows = {c.name: (c.product_total, c.variant_total) for c in response.context["cl"].result_list}
    assert rows == {"Full Coverage": (1, 3), "Light Coverage": (0, 0)}
    assert CoverageLevel.objects.count() == 2


def test_the_form_never_moves_a_category_only_move_does(client_as, tree):
    client = client_as("merchandising")
    dresses = tree["Dresses"]
    url = reverse("admin:catalog_category_change", args=[dresses.pk])
    assert 'name="parent"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Dresses",
            "slug": "dresses",
            "parent": tree["Evening Dresses"].pk,  # a crafted post: ignored
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(pk=dresses.pk).parent == tree["Clothing"]
    assert tree_is_valid()


def test_a_move_page_is_refused_when_the_tree_changed_while_it_was_open(client_as, tree):
    from tests.actors import staff

    client = client_as("merchandising")
    url = reverse("admin:catalog_category_move_category", args=[tree["Dresses"].pk])
    page, form = form_of(client, url, containing="target")
    assert "is now under “Clothing”" in client.get(page).content.decode()
    colleague = staff("Merchandising", "colleague@test.example")
    category_move(
        category=tree["Abayas"], target=tree["Hijabs"], position="last-child", actor=colleague
    )
    refused = client.post(page, {**form, "target": tree["Hijabs"].pk, "position": "first-child"})
    text = " ".join(refused.content.decode().split())
    assert refused.status_code == 200
    assert (
        "Nothing was done: while this page was open, “Abayas” was moved as its last child" in text
    )
    assert "by colleague@test.example (Merchandising) at " in text
    assert Category.objects.get(name="Dresses").parent.name == "Clothing"
    again = post_form(refused.content)
    done = client.post(page, {**again, "target": tree["Hijabs"].pk, "position": "first-child"})
    assert done.status_code == 302
    assert Category.objects.get(name="Dresses").parent.name == "Hijabs"
    assert tree_is_valid()


def test_a_hide_confirmation_says_what_leaves_the_storefront_and_is_checked_again(client_as, tree):
    from apps.catalog.services import category_set_active
    from tests.actors import staff

    client = client_as("merchandising")
    changelist = reverse("admin:catalog_category_changelist")
    asked = client.post(
        changelist, {"action": "hide_from_storefront", "_selected_action": [tree["Dresses"].pk]}
    )
    text = " ".join(asked.content.decode().split())
    # Dresses holds 1 product itself and 2 in Evening Dresses: all shown, none featured.
    assert "Hide 1 category" in text and "1 subcategory" in text
    category_set_active(
        categories=[tree["Hijabs"]],
        active=False,
        actor=staff("Merchandising", "colleague@test.example"),
    )
    refused = client.post(changelist, {**post_form(asked.content), "confirm": "1"})
    assert refused.status_code == 200
    assert "“Hijabs” was hidden by colleague@test.example" in refused.content.decode()
    assert Category.objects.get(name="Dresses").is_active
    client.post(changelist, {**post_form(refused.content), "confirm": "1"})
    assert not Category.objects.get(name="Dresses").is_active


def test_a_hide_confirmation_is_refused_when_what_it_takes_off_the_storefront_changed(
    client_as, tree
):
    """The page said how many products leave the storefront and how many are featured: a
    product featured meanwhile makes it stale, and the refusal names it."""
    from apps.catalog.services import product_set_featured
    from tests.actors import staff

    client = client_as("merchandising")
    changelist = reverse("admin:catalog_category_changelist")
    asked = client.post(
        changelist, {"action": "hide_from_storefront", "_selected_action": [tree["Dresses"].pk]}
    )
    product = ProductFactory(name="Evening Gown", category=tree["Evening Dresses"])
    VariantFactory(product=product)
    product_set_featured(
        products=[product], featured=True, actor=staff("Merchandising", "colleague@test.example")
    )
    refused = client.post(changelist, {**post_form(asked.content), "confirm": "1"})
    text = " ".join(refused.content.decode().split())
    assert refused.status_code == 200
    assert "“Evening Gown” was featured by colleague@test.example" in text
    assert Category.objects.get(name="Dresses").is_active
