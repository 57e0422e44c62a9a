"""Signals of the catalog that model signals do not cover.

``catalog_bulk_changed`` is sent after writes that bypass ``save()`` (bulk updates, imports,
COPY): listeners such as the storefront feed's cache treat it like any other catalog change.
"""

from django.dispatch import Signal

catalog_bulk_changed = Signal()
