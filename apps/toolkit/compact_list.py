"""Change lists in a fraction of unfold's markup, with unfold's look.

unfold gives every cell of a list, every row checkbox and every editable input the same long
run of Tailwind classes (about 600 bytes each): 100 rows of the stock list came to 750 KB of
HTML. Here each of those runs is sent once, under a short class (its token); the list's cells
carry the token, and ``toolkit/list-classes.js``, run right after the table, gives each element
the classes again before the page is painted. The classes themselves are unfold's, read from
its code at start-up: an upgrade that changes them changes the page with it.

Editable cells' inputs also render without a template (``compact_widget``): Django's input
template is one line of markup, and a list of 100 rows renders hundreds of them.
"""

import functools
import hashlib

from django.forms.models import BaseModelFormSet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

_CLASSES: dict[str, str] = {}


@functools.lru_cache(maxsize=256)
def token_for(classes: str) -> str:
    """The short class that stands for ``classes`` in a list (stable across processes)."""
    classes = " ".join(classes.split())
    token = "mw-" + hashlib.blake2s(classes.encode(), digest_size=4).hexdigest()
    _CLASSES[token] = classes
    return token


def list_classes() -> dict[str, str]:
    """Every token a list may carry, with the classes it stands for (sent once per page)."""
    return dict(_CLASSES)


def render_input(widget: dict):
    """Django's ``django/forms/widgets/input.html`` for a widget's context, without a template."""
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', value) if value is not None else "",
        flatatt({k: v for k, v in widget["attrs"].items() if v is not False}),
    )


@functools.lru_cache(maxsize=128)  # widget classes are few; bounded all the same
def _compact_class(widget_class):
    class Compact(widget_class):
        def _render(self, template_name, context, renderer=None):
            return mark_safe(render_input(context["widget"]))

    Compact.__name__ = f"Compact{widget_class.__name__}"
    return Compact


# Django's templates that are its one-line input and nothing else (unfold's own text input
# template wraps it, so a widget with that one is left as it is).
PLAIN_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "checkbox", "hidden", "email", "url")
}


def compact_widget(widget):
    """``widget`` (an input or checkbox) drawn in a list: its classes as a token, no template."""
    if getattr(widget, "template_name", None) not in PLAIN_INPUT_TEMPLATES:
        return widget
    compact = object.__new__(_compact_class(type(widget)))
    compact.__dict__.update(widget.__dict__)
    compact.attrs = dict(widget.attrs)
    if compact.attrs.get("class", "").strip():
        compact.attrs["class"] = token_for(compact.attrs["class"])
    return compact


class CompactFormSetMixin:
    """A list's formset whose inputs render as ``compact_widget``: its fields and its rows' ids."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget = compact_widget(field.widget)


class CompactModelFormSet(CompactFormSetMixin, BaseModelFormSet):
    pass
