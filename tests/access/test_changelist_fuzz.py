"""Random filters, searches, orderings and pages on every changelist, as every role that may
open it: whatever a person (or a crafted link) puts in the query string, never a 500.

Property-based (hypothesis): parameter names come from the list's model (fields with common
lookups) and Django's own list parameters; values are any text, numbers in and out of range,
non-ASCII digits and NUL characters.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.users.roles import sync_roles
from tests.access.test_matrix import MODELS, make

pytestmark = pytest.mark.django_db

SPECIAL = ["q", "o", "p", "all", "e", "_popup", "_to_field", "category", "stock", "recent"]
LOOKUPS = ["", "__exact", "__gte", "__lt", "__in", "__isnull", "__icontains", "__id__exact"]
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["²", "١٢", "0", "-1", "1.5", "%", "\x00", "a\x00b", "true", "", "1,2"]),
    st.lists(st.integers(0, 40).map(str), max_size=4).map(",".join),
)


def changelists():
    for model in admin.site._registry:
        label = model._meta.label_lower
        viewers = sorted(MODELS[label]["view"])
        yield label, model, viewers


CASES = [(label, role) for label, _, viewers in changelists() for role in viewers]


def list_parameters(model, user):
    """The parameters this list's own filters read, as the role sees them."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[model]
    changelist = model_admin.get_changelist_instance(request)
    shown = [p for spec in changelist.filter_specs for p in spec.expected_parameters()]
    # Filters offered only once chosen (the import batch link) have no spec on a bare list.
    hidden = [
        f.parameter_name
        for f in model_admin.get_list_filter(request)
        if isinstance(f, type) and getattr(f, "parameter_name", None)
    ]
    return sorted(set(shown + hidden))


def field_lookups(model):
    return [f.name + lookup for f in model._meta.concrete_fields for lookup in LOOKUPS]


@pytest.mark.parametrize(("label", "role"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_no_query_string_makes_a_changelist_fail(label, role, staff_user, admin_user):
    sync_roles()
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    make(label)
    user = admin_user if role == "superuser" else staff_user(role)
    client = Client()
    client.force_login(user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    # Half the names are the list's own (its filters, search, ordering, page), half any
    # field with a lookup: a crafted link is as likely as a click.
    names = st.one_of(
        st.sampled_from(list_parameters(model, user) + SPECIAL),
        st.sampled_from(field_lookups(model)),
    )

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.dictionaries(names, VALUES, max_size=4))
    def run(params):
        response = client.get(url, params)
        assert response.status_code < 500, f"{role} GET {url} {params!r}"

    run()
