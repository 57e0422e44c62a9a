"""A change list's cells: unfold's ``items_for_result`` with the same markup, at Django's cost.

unfold's version (django-unfold 0.91.0, ``unfold/templatetags/unfold_list.py``) works out, for
every cell of every row, what only depends on the column: the header row (sort links and all,
for the cell's ``data-label``), the escaped label, the empty value, the admin's ordering field,
whether the column links to the object, the cell's classes. On a list of 50 rows and 9
columns that is 450 times what 9 would do. Here the columns are worked out once per list
(``_columns``) and each cell does only its own work: look its value up and draw it.

The markup is unfold's, byte for byte (tests/toolkit/test_unfold_overrides.py draws lists
both ways and compares); tests pin unfold's original, so an upgrade that changes it is read
and carried over here.
"""

import datetime
from dataclasses import dataclass

from django.contrib.admin.templatetags.admin_list import _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from unfold.templatetags import unfold_list
from unfold.utils import (
    display_for_dropdown,
    display_for_field,
    display_for_header,
    display_for_value,
)

from apps.toolkit.compact_list import token_for

# Rendered only when there are errors: with none it draws nothing (a template per editable
# cell otherwise).
FORM_ERRORS = "unfold/helpers/form_errors.html"


@dataclass
class _Column:
    name: str
    index: int
    classes: list[str]  # the cell's classes before the value adds any
    label: str  # the escaped data-label
    link_tag: str | None  # "th" or "td" when the cell links to the object
    hidden: bool  # unfold's hidden ordering field


def _columns(cl) -> list[_Column]:
    columns = getattr(cl, "_unfold_columns", None)
    if columns is not None:
        return columns
    headers = list(unfold_list.result_headers(cl))
    ordering_field = getattr(cl.model_admin, "ordering_field", None)
    hide_ordering_field = getattr(cl.model_admin, "hide_ordering_field", False)
    links = cl.list_display_links
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        if links is None:
            links_here = False
        else:
            links_here = (first and not links) or name in links
        link_tag = None
        if links_here:
            link_tag = "th" if first else "td"
            first = False
        label = _("Select record") if index == 0 and not links_here else headers[index]["text"]
        columns.append(
            _Column(
                name=name,
                index=index,
                classes=[f"field-{_coerce_field_name(name, index)}", *unfold_list.ROW_CLASSES],
                label=conditional_escape(headers[index]["text"] if links_here else label),
                link_tag=link_tag,
                hidden=bool(ordering_field and name == ordering_field and hide_ordering_field),
            )
        )
    cl._unfold_columns = columns
    return columns


def items_for_result(cl, result, form):
    """The cells of one row, as unfold draws them."""
    model_admin = cl.model_admin
    empty_default = model_admin.get_empty_value_display()
    pk = cl.lookup_opts.pk.attname
    for column in _columns(cl):
        field_name = column.name
        empty_value_display = empty_default
        row_classes = list(column.classes)
        try:
            f, attr, value = lookup_field(field_name, result, model_admin)
        except ObjectDoesNotExist:
            result_repr = empty_value_display
        else:
            empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
            if f is None or f.auto_created:
                if field_name == "action_checkbox":
                    row_classes = list(unfold_list.CHECKBOX_CLASSES)
                label = getattr(attr, "label", False)
                if label:
                    result_repr = unfold_list.display_for_label(value, empty_value_display, label)
                elif getattr(attr, "dropdown", False):
                    result_repr = display_for_dropdown(
                        result, field_name, value, empty_value_display
                    )
                elif getattr(attr, "header", False):
                    result_repr = display_for_header(value, empty_value_display)
                else:
                    result_repr = display_for_value(
                        value, empty_value_display, getattr(attr, "boolean", False)
                    )
                if isinstance(value, datetime.date | datetime.time):
                    row_classes.append("nowrap")
            else:
                if isinstance(f.remote_field, models.ManyToOneRel):
                    field_val = getattr(result, f.name)
                    result_repr = empty_value_display if field_val is None else field_val
                else:
                    result_repr = display_for_field(value, f, empty_value_display)
                if isinstance(f, models.DateField | models.TimeField | models.ForeignKey):
                    row_classes.append("nowrap")

        if column.link_tag:
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:
                link_or_text = result_repr
            else:
                url = add_preserved_filters(
                    {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
                )
                value = result.serializable_value(str(cl.to_field) if cl.to_field else pk)
                link_or_text = format_html(
                    '<a href="{}" class="{}" {}>{}</a>',
                    url,
                    " ".join(unfold_list.LINK_CLASSES),
                    format_html(' data-popup-opener="{}"', value) if cl.is_popup else "",
                    result_repr,
                )
            yield format_html(
                '<{}{} data-label="{}">{}</{}>',
                column.link_tag,
                mark_safe(f' class="{" ".join(row_classes)}"'),
                column.label,
                link_or_text,
                column.link_tag,
            )
            continue

        if (
            form
            and field_name in form.fields
            and not (
                field_name == cl.model._meta.pk.name and form[cl.model._meta.pk.name].is_hidden
            )
        ):
            bf = form[field_name]
            errors = bf.errors
            result_repr = mark_safe(
                str(bf) + (render_to_string(FORM_ERRORS, {"errors": errors}) if errors else "")
            )
            row_classes += ["group", "errors"] if bf.errors else []
        if column.hidden:
            row_classes.append("!hidden")
        yield format_html(
            '<td{} data-label="{}">{}</td>',
            mark_safe(f' class="{" ".join(row_classes)}"'),
            column.label,
            result_repr,
        )

    if form and not form[cl.model._meta.pk.name].is_hidden:  # as unfold (never seen)
        yield format_html("<td>{}</td>", form[cl.model._meta.pk.name])


# The row around the cells, as backoffice/templates/admin/change_list_results.html draws it.
TBODY = "block relative lg:table-row-group"
TBODY_ODD = "bg-base-50 dark:bg-white/[.02]"
ROW = (
    "data-row block border border-base-200 mb-3 relative rounded-default lg:table-row "
    "lg:border-none lg:mb-0 lg:rounded-none dark:border-base-800"
)


def draw_rows(data: dict) -> dict:
    """Each row of unfold's ``result_list`` drawn at once (``row.html``) where nothing in it
    needs the template: no drag handle, expandable section, row actions or form-wide error.

    The template's own row, a dozen tags for each of 50 to 100 rows, cost more than all the
    cells in it; the markup here is the template's (tests compare both).
    """
    cl = data["cl"]
    rows = data["results"]
    for row in rows:
        row.html = ""
    model_admin = cl.model_admin
    if (
        getattr(model_admin, "ordering_field", None)
        or getattr(model_admin, "list_sections", None)
        or data.get("actions_row")
    ):
        return data
    tbody, odd, tr = token_for(TBODY), token_for(TBODY_ODD), token_for(ROW)
    for index, row in enumerate(rows):
        if row.form and row.form.non_field_errors():
            continue
        row.html = mark_safe(
            f'<tbody class="{tbody} {odd if index % 2 else ""}" x-data="{{rowOpen: false}}" >'
            f'<tr class="{tr}">{"".join(row)}</tr>\n</tbody>'
        )
    return data
