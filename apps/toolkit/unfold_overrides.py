"""Where unfold's rendering costs more than the page it draws, and what replaces it.

Measured with ``python -m bench admin`` (issue #16): unfold's lists and forms took up to twice
the time of the same admin drawn by Django's stock templates, for the same look each time.
Each override below is small, keeps unfold's markup and behaviour, and is applied once at
start-up (``ToolkitConfig.ready``). tests/toolkit/test_unfold_overrides.py pins the source of
every unfold function replaced here: an upgrade that changes one fails that test, to be read
and carried over (or the override dropped) before the upgrade lands.

1. ``items_for_result``: unfold recomputes, for every cell of a list, what depends only on
   its column (the whole header row, sort links and all, for each cell's ``data-label``);
   list_cells.py works columns out once per list. ``result_headers`` is computed once per
   list too (the template asks for it again), and ``result_list`` hands the template rows
   drawn at once where they need none of its options (list_cells.draw_rows).
2. The classes of a list's cells, row checkboxes and links: short tokens (compact_list.py).
3. The row checkbox (``ModelAdmin.action_checkbox``): rendered without a template, 100
   times per page otherwise.
4. A boolean's icon: unfold renders a template per boolean cell; there are three icons, each
   rendered once per language here.
5. A label (``@display(label=…)``, an order's status): unfold renders two templates per cell
   for one of a handful of labels; each is rendered once per value and language here.
6. A change form's read-only values: unfold looks each one up when its field is built and
   again when drawn, and builds the fields of a line each time the template walks it (three
   times and more), so a read-only value that runs queries (an order's timeline) ran them
   three times. Each is looked up once per form here.
7. Names unfold's change-form templates read that nothing defines (``conditional_fields`` on
   the admin, ``nested_formsets`` on inline forms, ``nested_inline`` in the context): each
   miss costs Django's template engine an exception and a dir() of the object (a ModelAdmin
   has hundreds of attributes), hundreds of times on a product's page. They are defined,
   empty, with the meaning unfold gives their absence.
8. Django's ``AdminSite.each_context`` builds the list of every app and model for its own
   sidebar on every page; unfold's sidebar is our navigation (SIDEBAR in settings) and reads
   that list only to show "all applications", which we turn off. It is built when read.
"""

from django.contrib.admin.utils import lookup_field
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.toolkit import list_cells
from apps.toolkit.compact_list import token_for

# unfold's own class lists, as they were before the tokens replaced them (for the tests).
UNFOLD_CLASSES: dict[str, list[str]] = {}
# Whether unfold itself defined a name we define (7), as found before we did (for the tests).
UNFOLD_DEFINED: dict[str, bool] = {}


def _headers_once(original):
    def result_headers(cl):
        headers = getattr(cl, "_unfold_result_headers", None)
        if headers is None:
            headers = cl._unfold_result_headers = list(original(cl))
        return iter(headers)

    result_headers.original = original
    return result_headers


def _rows_drawn(original):
    def result_list(context, cl):
        return list_cells.draw_rows(original(context, cl))

    result_list.original = original
    return result_list


def _boolean_icons(original):
    rendered: dict[tuple, str] = {}

    def boolean_icon(value):
        key = (None if value in ("", None) else bool(value), translation.get_language())
        if key not in rendered:
            rendered[key] = original(key[0])
        return rendered[key]

    boolean_icon.original = original
    return boolean_icon


# Values a label is drawn once for: plain values, each kept apart by its type (1, True and
# 1.0 are equal as keys but drawn differently); anything else is drawn every time.
_PLAIN = (str, int, bool, type(None))


def _label_key(value):
    if type(value) in _PLAIN:
        return (type(value), value)
    if type(value) is tuple and all(type(part) in _PLAIN for part in value):
        return (tuple, tuple((type(part), part) for part in value))
    return None


def _labels_once(original):
    rendered: dict[tuple, str] = {}

    def display_for_label(value, empty_value_display, label):
        value_key = _label_key(value)
        try:
            shape = tuple(label.items()) if isinstance(label, dict) else label
            key = (value_key, empty_value_display, shape, translation.get_language())
            hash(key)
        except TypeError:
            value_key = None
        if value_key is None:
            return original(value, empty_value_display, label)
        html = rendered.get(key)
        if html is None:  # two threads may both draw it: the same result, no harm
            html = original(value, empty_value_display, label)
            if len(rendered) > 1000:  # labels are a handful of words; never a leak
                rendered.clear()
            rendered[key] = html
        return html

    display_for_label.original = original
    return display_for_label


def _lookup_once(original):
    def cached_lookup_field(name, obj, model_admin=None):
        # Per model instance: the instance a change form draws lives for one request.
        cache = obj.__dict__.setdefault("_readonly_lookups", {})
        key = (name, id(model_admin))
        if key not in cache:
            try:
                cache[key] = ("ok", original(name, obj, model_admin))
            except Exception as error:  # replayed below, as the first call raised it
                cache[key] = ("error", error)
        kind, result = cache[key]
        if kind == "error":
            raise result
        return result

    cached_lookup_field.original = original
    return cached_lookup_field


def _action_checkbox(checkbox):
    classes = token_for(checkbox.attrs["class"])
    label = checkbox.attrs.get("aria-label", "")

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="_selected_action" value="{}" class="{} action-select"'
            ' aria-label="{}">',
            obj.pk,
            mark_safe(classes),
            label,
        )

    return action_checkbox


def _inline_forms_without_nesting(original):
    def get_formset(self, request, obj=None, **kwargs):
        formset = original(self, request, obj, **kwargs)
        if not hasattr(formset.form, "nested_formsets"):
            formset.form.nested_formsets = ()  # unfold adds its own when an inline nests
        return formset

    get_formset.original = original
    return get_formset


def _change_form_defaults(original):
    def render_change_form(self, request, context, *args, **kwargs):
        context.setdefault("nested_inline", False)
        return original(self, request, context, *args, **kwargs)

    render_change_form.original = original
    return render_change_form


def _app_list_when_read(each_context, get_app_list):
    def lazy_each_context(self, request):
        request._app_list_when_read = True
        try:
            return lazy_each_context.original(self, request)
        finally:
            request._app_list_when_read = False

    def lazy_get_app_list(self, request, app_label=None):
        build = lazy_get_app_list.original
        if getattr(request, "_app_list_when_read", False):
            return SimpleLazyObject(lambda: build(self, request, app_label))
        return build(self, request, app_label)

    lazy_each_context.original = each_context
    lazy_get_app_list.original = get_app_list
    return lazy_each_context, lazy_get_app_list


def apply() -> None:
    from unfold import admin as unfold_admin
    from unfold import fields as unfold_fields
    from unfold import sites as unfold_sites
    from unfold import utils as unfold_utils
    from unfold.templatetags import unfold_list

    if getattr(unfold_list.result_headers, "original", None):
        return  # applied already
    unfold_list.result_headers = _headers_once(unfold_list.result_headers)
    list_cells.items_for_result.original = unfold_list.items_for_result
    unfold_list.items_for_result = list_cells.items_for_result
    unfold_list.result_list = _rows_drawn(unfold_list.result_list)
    UNFOLD_CLASSES.update(
        ROW_CLASSES=unfold_list.ROW_CLASSES,
        CHECKBOX_CLASSES=unfold_list.CHECKBOX_CLASSES,
        LINK_CLASSES=unfold_list.LINK_CLASSES,
    )
    unfold_list.ROW_CLASSES = [token_for(" ".join(unfold_list.ROW_CLASSES))]
    unfold_list.CHECKBOX_CLASSES = [
        "action-checkbox",
        token_for(" ".join(c for c in unfold_list.CHECKBOX_CLASSES if c != "action-checkbox")),
    ]
    unfold_list.LINK_CLASSES = [token_for(" ".join(unfold_list.LINK_CLASSES))]
    unfold_utils._boolean_icon = _boolean_icons(unfold_utils._boolean_icon)
    unfold_list.display_for_label = _labels_once(unfold_list.display_for_label)
    unfold_fields.lookup_field = _lookup_once(lookup_field)
    site = unfold_sites.UnfoldAdminSite
    site.each_context, site.get_app_list = _app_list_when_read(site.each_context, site.get_app_list)
    UNFOLD_DEFINED["conditional_fields"] = any(
        "conditional_fields" in vars(klass) for klass in unfold_admin.ModelAdmin.__mro__
    )
    unfold_admin.ModelAdmin.conditional_fields = {}
    for inline in (unfold_admin.StackedInline, unfold_admin.TabularInline):
        inline.get_formset = _inline_forms_without_nesting(inline.get_formset)
    unfold_admin.ModelAdmin.render_change_form = _change_form_defaults(
        unfold_admin.ModelAdmin.render_change_form
    )
    checkbox = _action_checkbox(unfold_admin.checkbox)
    unfold_admin.ModelAdmin.action_checkbox = _keep_display(
        checkbox, unfold_admin.ModelAdmin.action_checkbox
    )


def _keep_display(new, old):
    """``new`` with the display attributes (the header's "select all" box) of ``old``."""
    for name in ("short_description", "boolean", "admin_order_field"):
        if hasattr(old, name):
            setattr(new, name, getattr(old, name))
    new.original = old
    return new
