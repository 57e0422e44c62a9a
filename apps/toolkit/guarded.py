"""Saves that write only what changed, and fields that only their service may change.

A full-row ``save()`` writes back every value the instance read, seconds or minutes ago: a
merchandiser renaming a colour while an order commits would put the sold units back into
stock. :class:`TrackedModel` remembers what each row held when it was read and saves only the
fields that differ since (nothing at all, and no history row, when nothing changed).

Some fields have a rule that only one service knows: stock levels (the stock service), an
order's status (the order lifecycle), a category's place in the tree (moves). They are listed
in ``guarded_fields``; saving a change to one raises :class:`GuardedFieldError` unless the
service wraps the write in :func:`guarded_write`. So a new form, action or import cannot
change them by accident: it fails loudly in development and in the tests.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

_open: ContextVar[frozenset[tuple[str, str]]] = ContextVar("guarded_writes", default=frozenset())


class GuardedFieldError(RuntimeError):
    """A guarded field was about to be saved outside the service that owns its rule."""


@contextmanager
def guarded_write(model, *fields: str):
    """Let the enclosed code save ``fields`` of ``model`` (the owning service's write)."""
    label = model._meta.label_lower
    token = _open.set(_open.get() | {(label, field) for field in fields})
    try:
        yield
    finally:
        _open.reset(token)


class TrackedModel(models.Model):
    guarded_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        changed = self.changed_fields()
        if changed is not None:
            self._check_guarded(changed, kwargs.get("update_fields"))
            if kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
                touched = [
                    f.name
                    for f in self._meta.concrete_fields
                    if getattr(f, "auto_now", False) and f.name not in changed
                ]
                kwargs["update_fields"] = [*changed, *touched] if changed else []
                if changed:
                    # What this save does not write may have moved on since it was read: read
                    # it again, so the instance and its history row show the row as it is.
                    self._reload_except(changed)
        super().save(*args, **kwargs)
        self._remember()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember()
        return instance

    def _remember(self, fields=None):
        loaded = self.__dict__.setdefault("_loaded", {})
        for field in self._meta.concrete_fields:
            if (fields is None or field.attname in fields or field.name in fields) and (
                field.attname in self.__dict__
            ):
                loaded[field.attname] = getattr(self, field.attname)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        self._remember(fields)

    def changed_fields(self) -> list[str] | None:
        """Names of the fields that differ from what was read; None for a row never read."""
        loaded = self.__dict__.get("_loaded")
        if loaded is None or self._state.adding:
            return None
        return [
            field.name
            for field in self._meta.concrete_fields
            if field.attname in loaded and getattr(self, field.attname) != loaded[field.attname]
        ]

    def _reload_except(self, changed):
        others = [
            f.attname
            for f in self._meta.concrete_fields
            if f.name not in changed and not f.primary_key and f.attname in self.__dict__
        ]
        if others:
            values = type(self)._base_manager.filter(pk=self.pk).values(*others).first() or {}
            for attname, value in values.items():
                setattr(self, attname, value)
                self.__dict__["_loaded"][attname] = value

    def _check_guarded(self, changed, update_fields):
        writing = set(changed) if update_fields is None else set(changed) & set(update_fields)
        label = self._meta.label_lower
        allowed = _open.get()
        forbidden = [f for f in self.guarded_fields if f in writing and (label, f) not in allowed]
        if forbidden:
            raise GuardedFieldError(
                f"{self._meta.object_name} #{self.pk}: {', '.join(forbidden)} changes only "
                "through its service (see guarded_fields)."
            )
