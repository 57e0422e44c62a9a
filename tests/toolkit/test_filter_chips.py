"""Active filters and the search, shown above every change list as chips that remove themselves
(apps/toolkit/templatetags/filter_chips.py), through the real admin as a superuser."""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils.text import capfirst

from apps.catalog.models import Category
from apps.toolkit.templatetags.filter_chips import form_labels, without
from apps.users.roles import sync_roles
from tests.factories import (
    CartItemFactory,
    CategoryFactory,
    CoverageLevelFactory,
    OrderFactory,
    OutfitFactory,
    ProductFactory,
    StaffFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
PRODUCTS = reverse("admin:catalog_product_changelist")
STOCK = reverse("admin:catalog_productvariant_changelist")


class ChipParser(HTMLParser):
    """Each chip's visible words (its × link aside) and the × link's href."""

    def __init__(self):
        super().__init__()
        self.chips, self.clear_all = [], None
        self.depth = 0  # spans open inside the current chip
        self.in_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-chip" in attrs:
            self.chips.append({"text": "", "href": None})
            self.depth = 1
        elif "data-clear-all" in attrs:
            self.clear_all = attrs["href"]
        elif self.depth and tag == "a":
            self.chips[-1]["href"], self.in_link = attrs["href"], True
        elif self.depth and tag == "span":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag == "a":
            self.in_link = False
        elif self.depth and tag == "span":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.in_link:
            self.chips[-1]["text"] += data


def chips(client, url, params=None):
    response = client.get(url, params or {}, follow=True)
    assert response.status_code == 200
    parser = ChipParser()
    parser.feed(response.content.decode())
    return {" ".join(c["text"].split()): c["href"] for c in parser.chips}, parser.clear_all


def chips_section(response) -> str:
    found = re.search(r'<div[^>]*id="filter-chips".*?</div>', response.content.decode(), re.S)
    return found.group(0) if found else ""


@pytest.fixture
def catalog(settings):
    settings.LOW_STOCK_THRESHOLD = 5
    dresses = CategoryFactory(name="Dresses")
    evening = CategoryFactory(name="Evening dresses", parent=dresses)
    full = CoverageLevelFactory(name="Full")
    product = ProductFactory(name="Linen abaya", category=evening, coverage_level=full)
    VariantFactory(product=product, stock_available=3)
    return {"evening": evening, "full": full}


def test_an_unfiltered_list_shows_no_chips(client_as, catalog):
    client = client_as("superuser")
    assert chips(client, PRODUCTS) == ({}, None)
    # The filter form, submitted with nothing chosen, sends every field empty.
    empty = {"category": "", "base_price_from": "", "base_price_to": "", "stock": "", "q": ""}
    assert chips(client, PRODUCTS, empty) == ({}, None)


def test_product_list_says_each_filter_in_its_own_words(client_as, catalog):
    client = client_as("superuser")
    params = {
        "category": catalog["evening"].pk,  # unfold dropdown of a simple filter, tree-indented
        "coverage_level__id__exact": catalog["full"].pk,  # related dropdown
        "is_featured__exact": "0",  # unfold's boolean radio
        "base_price_from": "10",  # unfold's range
        "base_price_to": "50",
        "stock": "low",  # Django's simple filter
        "q": "abay",
        "_facets": "True",  # counts help choosing; a chip says what was chosen, no count
    }
    shown, clear_all = chips(client, PRODUCTS, params)
    assert list(shown) == [
        "Category: Evening dresses",
        "Coverage level: Full",
        "Featured: No",
        "Base price: 10 – 50",
        "Stock: Low (1 to 5)",
        "Search: “abay”",
    ]
    assert clear_all == "?_facets=True"


def test_one_sided_ranges_and_unknown_values_still_show(client_as, catalog):
    client = client_as("superuser")
    shown, _ = chips(client, PRODUCTS, {"base_price_from": "10", "stock": "plenty"})
    # "plenty" is no choice of the stock filter: the chip says what was asked, and that.
    assert list(shown) == ["Base price: from 10", "Stock: “plenty” (not one of its choices)"]
    shown, _ = chips(client, PRODUCTS, {"base_price_from": "NaN"})
    assert list(shown) == ["Base price: “NaN” (not one of its choices)"]
    shown, _ = chips(client, PRODUCTS, {"category": "999999"})  # a deleted category
    assert list(shown) == ["Category: “999999” (not one of its choices)"]
    shown, clear_all = chips(client, PRODUCTS, {"base_price_to": "50"})
    assert list(shown) == ["Base price: up to 50"]
    assert clear_all is None  # one chip is its own "clear"


def test_removing_a_chip_keeps_the_other_filters_the_search_and_the_order(client_as, catalog):
    client = client_as("superuser")
    params = {"stock": "low", "base_price_from": "10", "base_price_to": "50", "q": "abay"}
    shown, _ = chips(client, PRODUCTS, {**params, "o": "2", "p": "2"})
    href = shown["Base price: 10 – 50"]
    assert QueryDict(href[1:]) == QueryDict("stock=low&q=abay&o=2")  # no page: it may be gone
    after, clear_all = chips(client, PRODUCTS + href)
    assert list(after) == ["Stock: Low (1 to 5)", "Search: “abay”"]
    assert QueryDict(clear_all[1:]) == QueryDict("o=2")
    only_stock, _ = chips(client, PRODUCTS + after["Search: “abay”"])
    assert list(only_stock) == ["Stock: Low (1 to 5)"]
    assert chips(client, PRODUCTS + only_stock["Stock: Low (1 to 5)"]) == ({}, None)


def test_stock_list_chips(client_as, catalog):
    client = client_as("superuser")
    params = {"stock": "low", "is_active__exact": "1", "category": catalog["evening"].pk}
    shown, _ = chips(client, STOCK, params)
    assert list(shown) == ["Stock: Low (1 to 5)", "Active: Yes", "Category: Evening dresses"]
    after, _ = chips(client, STOCK + shown["Active: Yes"])
    assert list(after) == ["Stock: Low (1 to 5)", "Category: Evening dresses"]


def test_orders_list_chips_for_a_choice_field_and_a_date_time_range(client_as):
    OrderFactory(status="pending")
    client = client_as("superuser")
    params = {
        "status__exact": "paid",  # Django's choices filter
        "placed": "7d",
        "created_at_from_0": "2025-01-01",  # unfold's date-time range: a date and a time
        "created_at_from_1": "09:00",
    }
    shown, _ = chips(client, reverse("admin:orders_order_changelist"), params)
    assert list(shown) == [
        "Status: Paid",
        "Date placed: Last 7 days",
        "Created at: from 2025-01-01 09:00",
    ]


def test_users_list_chips_for_a_many_to_many_and_a_boolean(client_as):
    sync_roles()
    support = Group.objects.get(name="Support")
    StaffFactory().groups.add(support)
    client = client_as("superuser")
    params = {"groups__id__exact": support.pk, "is_staff__exact": "1"}
    shown, _ = chips(client, reverse("admin:users_user_changelist"), params)
    # Staff accounts or customers is which list this is (the sidebar's two entries), not a
    # filter to remove: no chip for it.
    assert list(shown) == ["Groups: Support"]


def chosen(field):
    """A value a person could pick in this field of an unfold filter form."""
    if isinstance(field, forms.ModelChoiceField):
        return field.queryset.first().pk
    if isinstance(field, forms.ChoiceField):
        return next(key for key, _ in field.choices if key != "")
    if isinstance(field, forms.DateField):
        return "2025-01-01"
    return "1"


def first_choice(spec, changelist) -> dict:
    """The parameters of the filter's first choice: a Django link, or an unfold form filled in."""
    for choice in spec.choices(changelist):
        if "form" in choice:
            params = {}
            for name, field in choice["form"].fields.items():
                if isinstance(field, forms.SplitDateTimeField):
                    params |= {f"{name}_0": "2025-01-01", f"{name}_1": "00:00"}
                else:
                    params[name] = chosen(field)
            return params
        if not choice.get("selected"):  # the first one past "All"
            return QueryDict(choice["query_string"][1:])
    raise AssertionError(f"{spec.title}: no choice to pick")


LISTS = sorted(model._meta.label_lower for model in admin.site._registry)


@pytest.mark.parametrize("label", LISTS)
def test_every_filter_of_every_list_shows_its_chip_and_its_removal(client_as, catalog, label):
    sync_roles()
    StaffFactory().groups.add(Group.objects.get(name="Support"))
    OrderFactory()
    CartItemFactory()
    OutfitFactory()
    client = client_as("superuser")
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request = RequestFactory().get(url)
    request.user = client.user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    for spec in changelist.filter_specs:
        title = f"{capfirst(str(spec.title))}: "
        shown, _ = chips(client, url, first_choice(spec, changelist))
        mine = [text for text in shown if text.startswith(title)]
        if (label, title) == ("users.user", "Staff account: "):
            assert mine == [], shown  # which list it is, not a filter: see the users test
            continue
        assert len(mine) == 1 and mine[0] != title, f"{label} {spec.title}: {shown}"
        assert "not one of its choices" not in mine[0], f"{label}: a real choice, unlabelled"
        after, _ = chips(client, url + shown[mine[0]])
        assert not any(text.startswith(title) for text in after), f"{label}: {after}"


def test_hostile_values_are_escaped_and_never_a_500(client_as, catalog):
    client = client_as("superuser")
    hostile = {
        "q": "<script>alert(1)</script>",
        "stock": "<b>bold</b>",
        "base_price_from": '"><img src=x onerror=alert(2)>',
    }
    response = client.get(PRODUCTS, hostile)
    assert response.status_code == 200
    section = chips_section(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "&lt;b&gt;bold&lt;/b&gt;" in section
    assert "&lt;img src=x onerror=alert(2)&gt;" in section
    assert "<script>" not in section and "<b>" not in section and "<img" not in section
    # A NUL character is refused before any view (backoffice/middleware.py), never a 500.
    assert client.get(PRODUCTS, {"q": "a\x00b"}).status_code == 400
    assert client.get(STOCK, {"stock": "\x00"}).status_code == 400


def test_removal_drops_exactly_the_filter_s_parameters():
    # Django's get_query_string(remove=...) would also drop "stock_level", which only starts
    # with "stock".
    query = QueryDict("stock=low&stock_level=3&q=a&p=4&e=1&o=-2")
    assert QueryDict(without(query, ["stock"])[1:]) == QueryDict("stock_level=3&q=a&o=-2")


def test_autocomplete_filters_show_the_object_or_nothing_for_a_value_refused():
    dresses = CategoryFactory(name="Dresses")

    class Chosen(forms.Form):
        category = forms.ModelChoiceField(queryset=Category.objects, required=False)

    assert form_labels(Chosen(data={"category": str(dresses.pk)})) == "Dresses"
    assert form_labels(Chosen(data={"category": "not-an-id"})) == ""  # the filter refuses it
