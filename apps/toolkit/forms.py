"""Optimistic concurrency for what people type: the value the page showed travels with the
form (``<field>__seen``), and a save that would overwrite somebody else's change is refused
with both values named, instead of silently undoing it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html


def with_seen_value(widget_class):
    """``widget_class`` that also renders the value the page showed, as ``<name>__seen``."""

    class SeenValueWidget(widget_class):
        # The value the row holds as the page is drawn (set per form by SeenWidgetsMixin):
        # redisplayed after an error, the page must carry the row's value, not the typed one.
        seen = None

        def render(self, name, value, attrs=None, renderer=None):
            shown = self.format_value(value if self.seen is None else self.seen)
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
        return form.fields[name].to_python(raw)
    except ValidationError:
        return None


def changed_meanwhile(instance, label: str, seen, current) -> str:
    """ "Price went from 79.00 to 69.00 while you were editing (merch@… at 10:42): …"."""
    history = getattr(instance, "history", None)
    record = (
        history.select_related("history_user").order_by("-history_id").first() if history else None
    )
    by = ""
    if record is not None:
        who = record.history_user.email if record.history_user else "the shop"
        by = f" ({who} at {timezone.localtime(record.history_date):%H:%M})"
    return (
        f"{label} went from {seen} to {current} while you were editing{by}: "
        "enter it again if yours should replace it."
    )


class SeenWidgetsMixin:
    """Each ``seen_fields`` widget shows the value the row holds now, bound form or not."""

    seen_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name in self.seen_fields:
            field = self.fields.get(name)
            if field is not None and hasattr(field.widget, "seen"):
                field.widget.seen = getattr(self.instance, name)


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
        for name in self.seen_fields:
            if name not in self.fields or name not in cleaned:
                continue
            seen = seen_value(self, name)
            if seen is None:
                continue
            current = getattr(self.instance, name)
            if cleaned[name] == seen:
                cleaned[name] = current
            elif current != seen:
                label = str(self.fields[name].label or name).capitalize()
                self.add_error(name, changed_meanwhile(self.instance, label, seen, current))
        return cleaned
