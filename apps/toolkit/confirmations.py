"""Confirmations checked again: a confirmation page carries the state it showed.

"Cancel these 3 orders", "Move this category", "Hide these categories" ask their question over
what the page showed: statuses, the tree. Between drawing the page and confirming it, a
colleague may have changed that. The page carries a :class:`Seen` — a digest of the state it
showed and when it was drawn — and the service, holding the rows' locks, computes the digest
again: when it differs, nothing is done, and the page is drawn again with the new state and
what changed meanwhile (who, what, when: from the rows' history since the page was drawn).

The digest is computed by one function per kind of state (the domain's ``*_state``), the same
when the page is drawn and when it is confirmed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django import forms
from django.utils import timezone

#: The hidden field a confirmation carries its Seen in.
FIELD = "seen_state"


class StateChanged(ValueError):
    """What a confirmation showed is no longer so; the message says what changed, and who."""


def digest(rows) -> str:
    """A short digest of ``rows`` (tuples of plain values), whatever their order."""
    text = "\n".join(sorted(repr(tuple(row)) for row in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Seen:
    """The state a page showed (its digest) and when the page was drawn."""

    digest: str
    drawn_at: datetime

    @classmethod
    def now(cls, state: str) -> Seen:
        drawn_at = timezone.now()
        return cls(state, drawn_at.replace(microsecond=drawn_at.microsecond // 1000 * 1000))

    def encode(self) -> str:
        return f"{self.digest}.{round(self.drawn_at.timestamp() * 1000)}"

    @classmethod
    def decode(cls, text) -> Seen | None:
        """The Seen a page posted, or None for anything a page does not write."""
        state, _, stamp = str(text or "").partition(".")
        if len(state) != 32 or not all(c in "0123456789abcdef" for c in state):
            return None
        if not (stamp.isascii() and stamp.isdigit() and 0 < len(stamp) <= 13):
            return None  # milliseconds since 1970: 13 digits until the year 2286
        milliseconds = int(stamp)
        if not milliseconds:
            return None
        drawn_at = datetime.fromtimestamp(milliseconds // 1000, tz=UTC)
        return cls(state, drawn_at + timedelta(milliseconds=milliseconds % 1000))

    def check(self, state: str, changes) -> None:
        """Refuse with :class:`StateChanged` unless ``state`` is still the one seen;
        ``changes(since)`` says what changed after the page was drawn, in its words."""
        if state == self.digest:
            return
        what = changes(self.drawn_at) or "what it showed has changed since it was drawn."
        raise StateChanged(
            f"Nothing was done: while this page was open, {what} Check the page as it is now, "
            "and confirm again if it should still be done."
        )


#: Said when a confirmation did not carry what it showed (a crafted post, a page from before).
NOT_SHOWN = (
    "Nothing was done: this confirmation did not say what it showed, so it cannot be checked "
    "against changes made meanwhile. Open the page again and confirm from there."
)


class SeenField(forms.CharField):
    """The hidden field carrying a page's :class:`Seen` (cleaned to one, or a form error)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("error_messages", {"required": NOT_SHOWN})
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        seen = Seen.decode(text)
        if seen is None:
            raise forms.ValidationError(NOT_SHOWN)
        return seen

    def prepare_value(self, value):
        return value.encode() if isinstance(value, Seen) else value


class ConfirmationForm(forms.Form):
    """A confirmation's form: it carries the page's :class:`Seen` (``seen_state``), whose
    problems are shown above the form (a hidden field has no place of its own)."""

    seen_state = SeenField()

    def __init__(self, *args, seen: Seen | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if seen is not None:
            self.fields[FIELD].initial = seen

    def clean(self):
        cleaned = super().clean()
        for message in self.errors.pop(FIELD, []):
            self.add_error(None, message)
        return cleaned


def shown_again(form_class, data, seen: Seen, refusal: str, **kwargs):
    """A confirmation's form drawn again after ``refusal``: what the person chose, kept; the
    state as it is now (``seen``), to confirm against; the refusal above it."""
    data = data.copy()
    data[FIELD] = seen.encode()
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, refusal)
    return form
