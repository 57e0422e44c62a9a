"""The variant generator: sizes × colours, SKUs from a pattern, checked unique, all or
nothing."""

import pytest
from django.urls import reverse

from apps.access.policy import ActorNotAllowed
from apps.catalog.generator import (
    DEFAULT_PATTERN,
    VariantPlanError,
    check_pattern,
    parse_colours,
    sku_from_pattern,
    variant_plan,
)
from apps.catalog.models import Product, ProductVariant
from apps.catalog.services import variants_generate
from tests.actors import staff
from tests.catalog.test_product_admin import product_form
from tests.factories import CategoryFactory, CoverageLevelFactory, ProductFactory, VariantFactory
from tests.race import meanwhile, race

S, M, L = ProductVariant.Size.S, ProductVariant.Size.M, ProductVariant.Size.L


def test_colours_are_split_tidied_and_each_kept_once():
    assert parse_colours(" black, dusty   rose ,Sage,,BLACK, sage ") == [
        "Black",
        "Dusty Rose",
        "Sage",
    ]
    assert parse_colours("Ivory\tcream\u200b") == ["Ivory Cream"]
    with pytest.raises(VariantPlanError, match="longer than a colour") as error:
        parse_colours("x" * 101)
    assert error.value.field == "colours"
    with pytest.raises(VariantPlanError, match="At most 20 colours"):
        parse_colours(",".join(f"colour {n}" for n in range(21)))


@pytest.mark.parametrize(
    ("pattern", "colour", "sku"),
    [
        ("{name}-{size}-{colour}", "Dusty Rose", "TLA-M-DUSTY-ROSE"),
        ("{name}-{size}-{col}", "Dusty Rose", "TLA-M-DUS"),
        ("{slug}/{size}/{colour}", "Ébène", "TIERED-LINEN-ABAYA-M-EBENE"),
        ("mw {name} {colour} {size}", "sage", "MW-TLA-SAGE-M"),
        ("{name}-{size}-{colour}", "Off\u00adWhite", "TLA-M-OFF-WHITE"),  # a soft hyphen
    ],
)
def test_skus_follow_the_pattern_in_capitals_digits_and_dashes(pattern, colour, sku):
    made = sku_from_pattern(
        pattern, name="Tiered Linen Abaya", slug="tiered-linen-abaya", size=M, colour=colour
    )
    assert made == sku


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("", "Enter a SKU pattern"),
        ("{name}-{colour}", "needs {size}"),
        ("{name}-{size}", "needs {size} and {colour}"),
        ("{name}-{size}-{colour}-{price}", "not {price}"),
        ("{size}-{colour!r}", "not {colour!r}"),
        ("{size}-{colour:>9}", "not {colour:>9}"),
        ("{size}-{0}-{colour}", "not {0}"),
        ("{size}-{colour", "braces do not pair up"),
        ("{size}-{colour}" + "x" * 100, "at most 100"),
    ],
)
def test_a_pattern_that_cannot_work_is_refused_with_why(pattern, says):
    with pytest.raises(VariantPlanError, match=None) as error:
        check_pattern(pattern)
    assert says in str(error.value)


@pytest.mark.django_db
def test_the_plan_marks_taken_skus_repeats_and_sizes_the_product_has():
    product = ProductFactory(name="Tiered Linen Abaya", slug="tiered-linen-abaya")
    VariantFactory(product=product, sku="OLD-1", size=S, color="sage")
    VariantFactory(product=ProductFactory(name="Other Abaya"), sku="TLA-M-SAGE")
    plan = variant_plan(
        product_id=product.pk,
        name=product.name,
        slug=product.slug,
        sizes=[M, S],
        colours="Sage, Black",
        pattern="{name}-{size}-{colour}",
    )
    assert [(row.sku, row.exists, row.problem) for row in plan] == [
        ("TLA-S-SAGE", True, ""),
        ("TLA-S-BLACK", False, ""),
        ("TLA-M-SAGE", False, "SKU taken by “Other Abaya”"),
        ("TLA-M-BLACK", False, ""),
    ]
    twice = variant_plan(
        product_id=None,
        name="A",
        slug="a",
        sizes=[S],
        colours="Sage, Sagebrush",
        pattern="{size}-{col}",
    )
    assert [row.problem for row in twice] == ["", "the pattern gives this SKU twice"]


@pytest.mark.django_db
def test_generating_makes_every_new_combination_with_stock_0_and_history():
    merchandiser = staff("Merchandising")
    coverage = CoverageLevelFactory(name="Full")
    product = ProductFactory(name="Tiered Linen Abaya", coverage_level=coverage)
    VariantFactory(product=product, sku="TLA-S-SAGE", size=S, color="Sage", stock_available=4)
    made = variants_generate(
        product=product,
        sizes=[S, M],
        colours="sage, black",
        pattern="{name}-{size}-{colour}",
        actor=merchandiser,
    )
    assert [v.sku for v in made] == ["TLA-S-BLACK", "TLA-M-SAGE", "TLA-M-BLACK"]
    rows = ProductVariant.objects.filter(product=product).order_by("sku")
    assert {(v.sku, v.stock_available, v.coverage_id, v.is_active) for v in rows} == {
        ("TLA-M-BLACK", 0, coverage.pk, True),
        ("TLA-M-SAGE", 0, coverage.pk, True),
        ("TLA-S-BLACK", 0, coverage.pk, True),
        ("TLA-S-SAGE", 4, product.coverage_level_id, True),
    }
    history = ProductVariant.history.filter(sku="TLA-M-BLACK").get()
    assert history.history_user == merchandiser
    assert history.history_change_reason == "Made by the variant generator"


@pytest.mark.django_db
def test_one_taken_sku_makes_nothing_and_says_which():
    product = ProductFactory(name="Tiered Linen Abaya")
    VariantFactory(product=ProductFactory(name="Other"), sku="TLA-L-SAGE")
    with pytest.raises(VariantPlanError, match="TLA-L-SAGE: SKU taken by “Other”"):
        variants_generate(
            product=product,
            sizes=[S, M, L],
            colours="Sage",
            pattern="{name}-{size}-{colour}",
            actor=staff("Merchandising"),
        )
    assert not product.variants.exists()


@pytest.mark.django_db
def test_only_who_may_make_variants_generates_them():
    product = ProductFactory(name="Tiered Linen Abaya")
    with pytest.raises(ActorNotAllowed):
        variants_generate(
            product=product,
            sizes=[S],
            colours="Sage",
            pattern="{size}-{colour}",
            actor=staff("Support"),
        )
    assert not product.variants.exists()


@pytest.mark.django_db(transaction=True)
def test_two_products_generating_the_same_skus_at_once_one_is_refused_nothing_half_made():
    merchandiser = staff("Merchandising")
    first, second = ProductFactory(name="Linen Abaya"), ProductFactory(name="Lined Abaya")

    def generate(product):
        return lambda: len(
            variants_generate(
                product=product,
                sizes=[S, M, L],
                colours="Sage, Black",
                pattern="{name}-{size}-{colour}",  # both are "LA-…"
                actor=merchandiser,
            )
        )

    outcomes = race(generate(first), generate(second))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert ("ok", 6) in outcomes
    counts = sorted([first.variants.count(), second.variants.count()])
    assert counts == [0, 6]


# In the product form --------------------------------------------------------------------

PLAN = reverse("admin:catalog_product_variant_plan")
ADD = reverse("admin:catalog_product_add")


@pytest.mark.django_db
def test_a_new_product_is_made_with_its_variants_in_one_save(client_as):
    category, coverage = CategoryFactory(), CoverageLevelFactory()
    data = product_form(category, coverage, name="Tiered Linen Abaya", slug="tiered-linen-abaya")
    data.update(
        make_sizes=["1", "2"],
        make_colours="Sage, dusty rose",
        make_pattern="{name}-{size}-{colour}",
    )
    response = client_as("merchandising").post(ADD, data, follow=True)
    assert "4 variants made: TLA-S-SAGE, TLA-S-DUSTY-ROSE, TLA-M-SAGE, TLA-M-DUSTY-ROSE." in (
        response.content.decode()
    )
    product = Product.objects.get(slug="tiered-linen-abaya")
    assert sorted(product.variants.values_list("sku", "color")) == [
        ("TLA-M-DUSTY-ROSE", "Dusty Rose"),
        ("TLA-M-SAGE", "Sage"),
        ("TLA-S-DUSTY-ROSE", "Dusty Rose"),
        ("TLA-S-SAGE", "Sage"),
    ]


@pytest.mark.django_db
def test_a_taken_sku_stops_the_save_with_the_form_kept(client_as):
    VariantFactory(product=ProductFactory(name="Other"), sku="TLA-M-SAGE")
    data = product_form(CategoryFactory(), CoverageLevelFactory(), name="Tiered Linen Abaya")
    data.update(make_sizes=["1", "2"], make_colours="Sage", make_pattern="{name}-{size}-{colour}")
    response = client_as("merchandising").post(ADD, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["make_pattern"]
    assert errors == ["These variants cannot be made: TLA-M-SAGE: SKU taken by “Other”."]
    assert not Product.objects.filter(slug=data["slug"]).exists()
    html = response.content.decode()
    assert 'value="Sage"' in html  # what was typed is still there


@pytest.mark.django_db
def test_the_preview_answers_what_the_save_would_do(client_as):
    product = ProductFactory(name="Tiered Linen Abaya", slug="tiered-linen-abaya")
    VariantFactory(product=product, sku="TLA-S-SAGE", size=S, color="Sage")
    VariantFactory(product=ProductFactory(name="Other"), sku="TLA-M-SAGE")
    client = client_as("merchandising")
    answer = client.get(
        PLAN,
        {
            "product": product.pk,
            "name": product.name,
            "slug": product.slug,
            "make_sizes": ["1", "2"],
            "make_colours": "sage",
            "make_pattern": "{name}-{size}-{colour}",
        },
    ).json()
    assert answer["error"] == ""
    assert [(v["sku"], v["size"], v["exists"], v["problem"]) for v in answer["variants"]] == [
        ("TLA-S-SAGE", "S", True, ""),
        ("TLA-M-SAGE", "M", False, "SKU taken by “Other”"),
    ]
    wrong = client.get(PLAN, {"name": "A", "slug": "a", "make_sizes": "1", "make_colours": "x"})
    assert wrong.json()["field"] == "pattern" and "Enter a SKU pattern" in wrong.json()["error"]
    for params in ({"make_sizes": "9"}, {"make_sizes": "١"}, {"product": "x"}, {"product": "0"}):
        assert client.get(PLAN, params).status_code == 400, params
    gone = client.get(PLAN, {"product": "999999", "make_sizes": "1"})
    assert gone.status_code == 404 and gone.json()["error"] == "This product no longer exists."


@pytest.mark.django_db
def test_who_may_not_make_variants_gets_no_generator(client_as):
    product = ProductFactory()
    client = client_as("warehouse")  # may change variants' stock, not make variants
    change = reverse("admin:catalog_product_change", args=[product.pk])
    html = client.get(change).content.decode()
    assert "make_colours" not in html and "Make variants" not in html
    assert client.get(PLAN, {"make_sizes": "1"}).status_code == 403


@pytest.mark.django_db
def test_a_history_revert_page_offers_no_generator(client_as):
    product = ProductFactory(name="Tiered Linen Abaya")
    product.base_price = 80
    product.save()
    version = product.history.last()  # as created
    client = client_as("merchandising")
    change = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert "make_colours" in change.content.decode()
    revert = reverse("admin:catalog_product_simple_history", args=[product.pk, version.pk])
    page = client.get(revert)
    assert page.status_code == 200 and "make_colours" not in page.content.decode()


@pytest.mark.parametrize("name", ["Tiered\u00adLinen Abaya", "Tiered\u200bLinen Abaya"])
def test_invisible_characters_separate_words_in_the_preview_and_the_save_alike(name):
    # A pasted name may hold a soft hyphen or a zero-width space: both split words.
    assert (
        sku_from_pattern(DEFAULT_PATTERN, name=name, slug="x", size=S, colour="Sage")
        == "TLA-S-SAGE"
    )


@pytest.mark.django_db
def test_a_colour_with_no_letters_a_sku_can_use_is_refused_by_name():
    plan = variant_plan(
        product_id=None,
        name="A",
        slug="a",
        sizes=[S],
        colours="你好, Sage",
        pattern=DEFAULT_PATTERN,
    )
    assert [row.problem for row in plan] == [
        "“你好” has no letters a SKU can use (A–Z, 0–9): write it so",
        "",
    ]


@pytest.mark.django_db
def test_the_featured_switch_answers_a_missing_product_in_json(client_as):
    response = client_as("merchandising").post(
        reverse("admin:catalog_product_featured", args=[999999]), {"featured": "1"}
    )
    assert response.status_code == 404
    assert response.json() == {"error": "This product no longer exists."}


@pytest.mark.django_db
def test_a_typed_variant_row_that_the_generator_would_also_make_is_refused_first(client_as):
    data = product_form(
        CategoryFactory(),
        CoverageLevelFactory(),
        name="Tiered Linen Abaya",
        variants=[{"sku": "TLA-S-SAGE", "size": 1, "color": "Sage Green", "is_active": "on"}],
    )
    data.update(make_sizes=["1", "2"], make_colours="Sage", make_pattern=DEFAULT_PATTERN)
    client = client_as("merchandising")
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "TLA-S-SAGE is typed in a row and would also be made" in response.content.decode()
    assert not Product.objects.filter(slug=data["slug"]).exists()
    # The same size and colour typed by hand: the generator makes the others.
    data["variants-0-color"] = "Sage"
    response = client.post(ADD, data, follow=True)
    assert "1 variant made: TLA-M-SAGE." in response.content.decode()
    product = Product.objects.get(slug=data["slug"])
    assert sorted(product.variants.values_list("sku", flat=True)) == ["TLA-M-SAGE", "TLA-S-SAGE"]


@pytest.mark.django_db(transaction=True)
def test_a_sku_taken_between_the_check_and_the_save_rolls_the_save_back_and_says_so(
    client_as, monkeypatch
):
    from apps.catalog.admin import product_form as form_module

    other = ProductFactory(name="Other")
    data = product_form(CategoryFactory(), CoverageLevelFactory(), name="Tiered Linen Abaya")
    data.update(make_sizes=["1"], make_colours="Sage", make_pattern=DEFAULT_PATTERN)
    original, raced = form_module.variant_plan, []

    def racing(**kwargs):
        plan = original(**kwargs)
        if not raced:  # a colleague takes the SKU right after this form's check
            raced.append(True)
            meanwhile(lambda: VariantFactory(product=other, sku="TLA-S-SAGE"))
        return plan

    monkeypatch.setattr(form_module, "variant_plan", racing)
    response = client_as("merchandising").post(ADD, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["make_pattern"] == [
        "These variants cannot be made: TLA-S-SAGE: SKU taken by “Other”."
    ]
    assert not Product.objects.filter(slug=data["slug"]).exists()  # nothing half saved
