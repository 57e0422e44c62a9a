"""Optimistic concurrency for what people type: the value the page showed travels with the
form (``<field>__seen``), and a save that would overwrite somebody else's change is refused
with both values named, instead of silently undoing it.
"""

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import cached_property
from django.utils.html import format_html

from apps.toolkit.history import is_historical, last_change


@functools.cache  # one class per widget class: admins ask again on every request
def with_seen_value(widget_class):
    """``widget_class`` that also renders the value the page showed, as ``<name>__seen``."""

    class SeenValueWidget(widget_class):
        # The value the row holds as the page is drawn (set per form by SeenWidgetsMixin):
        # redisplayed after an error, the page must carry the row's value, not the typed one.
        seen = None

        def render(self, name, value, attrs=None, renderer=None):
            shown = self.format_value(value if self.seen is None else self.seen)
            # The typed value and the seen one travel together. A browser going Back would
            # put the typed value back into a page drawn afresh, beside a seen value of now
            # (it restores what people type, not hidden fields): that pairing would overwrite
            # a colleague's change unchecked. So this field is not restored: Back shows now.
            attrs = {**(attrs or {}), "autocomplete": "off"}
            return super().render(name, value, attrs, renderer) + format_html(
                '<input type="hidden" name="{}__seen" value="{}">', name, shown or ""
            )

    SeenValueWidget.__name__ = f"Seen{widget_class.__name__}"
    return SeenValueWidget


def seen_value(form, name):
    """The value of ``name`` the page showed, or None if the form did not carry one."""
    raw = form.data.get(form.add_prefix(name) + "__seen")
    if raw is None:
        return None
    try:
        # The field's own checks: "sNaN", "Infinity" or 10**40 are not values a page shows.
        return form.fields[name].clean(raw)
    except ValidationError:
        return None


#: A changed value whose form did not say what the page showed (a crafted or truncated post,
#: a page from before the check existed): it cannot be checked, so it is not saved.
NOT_SEEN = (
    "This page did not say which value it showed, so your change cannot be checked against "
    "changes made meanwhile: reload the page and enter it again."
)


def changed_meanwhile(instance, label: str, seen, current) -> str:
    """ "Price went from 79.00 to 69.00 while you were editing (merch@… at 10:42): …"."""
    return (
        f"{label} went from {seen} to {current} while you were editing"
        f"{last_change(instance)}: enter it again if yours should replace it."
    )


def current_values(instance, names) -> dict:
    """``names`` of ``instance``'s row as the database holds them now.

    Inside a transaction (the admin saves a change form in one) the row stays locked until
    the save commits: of two people saving over the same value at once, the second waits,
    then sees the first one's value and is refused, instead of both "succeeding".
    """
    if not names:
        return {}
    query = type(instance)._base_manager.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        query = query.select_for_update(of=("self",))
    return query.values(*names).first() or {}


class SeenWidgetsMixin:
    """Each ``seen_fields`` widget shows the value the row holds now, bound form or not."""

    seen_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        row = self.instance
        if is_historical(row):
            # A revert page shows an old version; what its save would overwrite is the
            # row as it is now, so that is the value the page carries as seen.
            row = type(row)._default_manager.filter(pk=row.pk).first() or row
        for name in self.seen_fields:
            field = self.fields.get(name)
            if field is not None and hasattr(field.widget, "seen"):
                field.widget.seen = getattr(row, name)

    @cached_property
    def changed_data(self):
        # A value left as the page showed it is not a change, even if the row moved on
        # meanwhile: "changed successfully" must not be said of a save that writes nothing.
        return [name for name in super().changed_data if not self.left_as_shown(name)]

    def left_as_shown(self, name) -> bool:
        if name not in self.seen_fields or self.instance.pk is None:
            return False
        seen = seen_value(self, name)
        if seen is None:
            return False
        try:
            return self.fields[name].clean(self[name].data) == seen
        except ValidationError:
            return False


class SeenValuesModelForm(SeenWidgetsMixin, forms.ModelForm):
    """A ModelForm whose ``seen_fields`` are checked against what the page showed.

    Left as shown, such a field keeps whatever the row holds now (somebody else's newer
    value included); typed over a value that changed meanwhile, it is refused on the field.
    """

    seen_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        if self.instance._state.adding:
            return cleaned
        checked = [name for name in self.seen_fields if name in self.fields and name in cleaned]
        now = current_values(self.instance, checked)
        for name in checked:
            seen = seen_value(self, name)
            current = now.get(name, getattr(self.instance, name))
            if seen is None:
                if cleaned[name] != current:
                    self.add_error(name, NOT_SEEN)
                continue
            if cleaned[name] == seen:
                cleaned[name] = current
            elif current != seen:
                label = str(self.fields[name].label or name).capitalize()
                self.add_error(name, changed_meanwhile(self.instance, label, seen, current))
        return cleaned
