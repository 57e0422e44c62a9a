"""Pieces every admin of the back office shares: counting, action forms, number fields."""

from functools import cached_property

from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.paginator import Paginator
from django.db import connection
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.utils import display_for_label
from unfold.views import ChangeList

from apps.toolkit import submissions
from apps.toolkit.numbers import ascii_form_class


class AsciiNumbersMixin:
    """Model admins and inlines whose number fields take digits 0–9 only, as imports do."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        form_class = ascii_form_class(db_field)
        if form_class is not None and "form_class" not in kwargs:
            kwargs["form_class"] = form_class
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# Below this many rows an exact COUNT(*) is cheap; above it the planner's estimate is used.
EXACT_COUNT_LIMIT = 10_000


class EstimatedCountPaginator(Paginator):
    """Exact counts for filtered lists; PostgreSQL's row estimate for a big unfiltered table.

    ``COUNT(*)`` on a table of 600k variants reads the whole table on every page view; the
    estimate in ``pg_class.reltuples`` is kept fresh by autovacuum and costs nothing.
    """

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and not query.combinator:
            estimate = table_estimate(query.model._meta.db_table)
            if estimate > EXACT_COUNT_LIMIT:
                return estimate
        return super().count


class CountedChangeList(ChangeList):
    """A list that is not filtered or searched shows its count alone ("49 products").

    With ``show_full_result_count = False`` (no second COUNT of the whole table) Django has no
    total to compare with and writes "49 results (Show all)" under every list, as if it were
    filtered. Unfiltered, the result count *is* the total, at no cost.
    """

    def get_results(self, request):
        super().get_results(request)
        if self.full_result_count is None and not self.query and not self.get_filters_params():
            self.full_result_count = self.result_count


def table_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


def render_action_form(
    model_admin,
    request,
    *,
    title,
    form,
    obj=None,
    submit,
    intro="",
    hidden_fields=(),
    suggestions=None,
    links=(),
    summary=None,
    back=None,
):
    """An intermediate page with ``form``, in the admin's look (unfold's base layout).

    ``suggestions`` is ``(datalist id, values)`` for a text field's ``list`` attribute;
    ``links`` are ``(url, label)`` pairs shown under the introduction; ``summary`` is HTML
    (already escaped) shown above the form, e.g. what a confirmation will do. ``back`` is the
    ``(url, label)`` of the way out without doing it: by default the object's page (the list
    for a page without one), a real address rather than the browser's back, which after a
    refused submit is this same form again.

    The form carries its one-time submission key; drawn for a GET, the page pins it in its
    address (``submissions.pin``), so Back draws it with the same key (and a page whose key
    was used says what it did instead: ``submissions.once``).
    """
    if request.method == "GET":
        answer = submissions.pin(request)
        if answer is not None:
            return answer
    opts = model_admin.model._meta
    if back is None:
        filters = {"preserved_filters": model_admin.get_preserved_filters(request), "opts": opts}
        if obj is not None:
            page = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            back = (add_preserved_filters(filters, page), f"Back to {obj}")
        else:
            page = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            back = (add_preserved_filters(filters, page), "Go back without doing this")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": str(obj) if obj is not None else None,
        "form": form,
        "object": obj,
        "opts": opts,
        "submit_label": submit,
        "intro": intro,
        "hidden_fields": hidden_fields,
        "suggestions": suggestions,
        "links": links,
        "summary": summary,
        "back_url": back[0],
        "back_label": back[1],
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/action_form.html", context)


# Read-only fields on a change page: unfold renders a ``@display(label=...)`` value as a badge
# in lists only (on a change page it prints the tuple), and a model's text field without its
# line breaks. These give the change page what the list shows.


def badge(key: str, text: str, colours: dict[str, str]):
    """The coloured label unfold's lists show for ``(key, text)``."""
    return display_for_label((key, text), "—", colours)


def multiline(text: str):
    """Text with its line breaks kept (escaped)."""
    return linebreaksbr(text)


def rewind_uploads(request) -> None:
    """Put every uploaded file back at its start, for a view that handles the same request
    a second time (a save refused and checked again): a form reads its files to the end."""
    for _, uploads in request.FILES.lists():
        for upload in uploads:
            upload.seek(0)
