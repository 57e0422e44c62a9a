"""What narrows a change list, as chips that each link to the list without them.

unfold only colours its "Filters" button when a filter is on; these say which filters and
which search, in the filter's own words ("Category: Dresses", "Price: 10 – 50").
"""

from dataclasses import dataclass

from django import forms, template
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, SEARCH_VAR
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

register = template.Library()


@dataclass(frozen=True)
class Chip:
    title: str
    value: str
    remove_url: str  # the same list without this filter, from its first page


@register.inclusion_tag("toolkit/filter_chips.html", takes_context=True)
def active_filter_chips(context):
    changelist, request = context.get("cl"), context.get("request")
    if changelist is None or request is None:
        return {"chips": []}
    chips, clear_all_url = filter_chips(changelist, request.GET)
    return {"chips": chips, "clear_all_url": clear_all_url if len(chips) > 1 else None}


def filter_chips(changelist, query) -> tuple[list[Chip], str]:
    """The chips for ``changelist`` and the URL without any of them (``query``: request.GET)."""
    chips, names_used = [], [SEARCH_VAR]
    # Parameters that choose which list this is (customers or staff accounts, from the
    # sidebar) rather than narrow it: no chip, as there is no list without them.
    choosing = set(getattr(changelist.model_admin, "list_choosing_parameters", ()))
    for spec in changelist.filter_specs:
        names = [name for name in spec.expected_parameters() if name and name not in choosing]
        raw = [value for name in names for value in query.getlist(name) if value]
        if not raw:  # a submitted filter form sends its empty fields too
            continue
        names_used += names
        # What the filter recognises; a value it does not (a hand-edited link, a bookmark to
        # a deleted category) is shown as asked and marked, whatever the filter made of it
        # (some ignore it, some show nothing).
        raw_text = ", ".join(raw)
        value = chosen_labels(spec, changelist) or f"“{raw_text}” (not one of its choices)"
        chips.append(Chip(capfirst(str(spec.title)), value, without(query, names)))
    if changelist.search_fields and changelist.query.strip():
        chips.append(Chip("Search", f"“{changelist.query}”", without(query, [SEARCH_VAR])))
    return chips, without(query, names_used)


def without(query, names) -> str:
    """``query`` without ``names`` (exactly these: Django's get_query_string drops every
    parameter that merely starts with one), nor the page number that may no longer exist."""
    params = query.copy()
    for name in [*names, PAGE_VAR, ERROR_FLAG]:
        params.pop(name, None)
    return f"?{params.urlencode()}"


def chosen_labels(spec, changelist) -> str:
    """What the filter itself shows as chosen: Django's selected choices, or the values of
    the form unfold's filters render instead. Empty when it shows nothing."""
    # Facet counts ("Dresses (12)") help choosing, not saying what was chosen; they cost queries.
    add_facets, changelist.add_facets = changelist.add_facets, False
    try:
        choices = list(spec.choices(changelist))
    finally:
        changelist.add_facets = add_facets
    labels = []
    for choice in choices:
        if "form" in choice:
            labels.append(form_labels(choice["form"]))
        elif choice.get("selected"):
            labels.append(str(choice.get("display", "")))
    return ", ".join(label for label in labels if label)


def form_labels(form) -> str:
    """A filter form's chosen values: choice labels, or the from–to of a range as typed;
    empty when the form refuses them (the filter then narrows nothing)."""
    if form.is_bound and not form.is_valid():
        return ""
    typed = {}
    for name, field in form.fields.items():
        value = form[name].value()
        values = value if isinstance(value, list | tuple) else [value]
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            typed[name] = choice_labels(field, values)
    low = next((v for name, v in typed.items() if name.endswith("_from")), "")
    high = next((v for name, v in typed.items() if name.endswith("_to")), "")
    if low and high:
        return f"{low} – {high}"
    if low or high:
        return f"from {low}" if low else f"up to {high}"
    return ", ".join(typed.values())


def choice_labels(field, values: list[str]) -> str:
    if isinstance(field, forms.ModelChoiceField):  # autocomplete: its choices are the table
        try:
            return ", ".join(str(obj) for obj in field.queryset.filter(pk__in=values))
        except (ValueError, ValidationError):  # not a key at all: say what was asked
            return ", ".join(values)
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): str(label) for key, label in flat(field.choices)}
        # Tree filters indent their labels ("— — Evening dresses"); a chip stands alone.
        return ", ".join(labels.get(v, v).lstrip("— ") or labels.get(v, v) for v in values)
    return " ".join(values)  # a date and a time arrive as two parts


def flat(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):  # a group of choices
            yield from flat(label)
        else:
            yield key, label
