"""Files chosen in a form that comes back with errors are kept, so nobody chooses them again.

A browser never fills a file input in again: when a product form returns with an error
elsewhere (a taken slug, a price), every image chosen for it would be lost. The widget keeps
an upload it is about to show again in the shared cache (Redis in production, so any web
instance can answer the next submit) under a random token, renders the token in a hidden
field with the file's name, and on the next submit gives the field that file back unless
another one was chosen or the file was cleared.

A token serves one submit of the person who chose the file. A kept file the cache no longer
holds (after ``KEPT_FOR``, a cache restart, or another person's token) is not dropped
silently: the widget notes it in ``lost`` and the form says to choose it again
(``lost_uploads``). A file the field refused is not kept (``refuse_invalid_uploads``).
"""

import logging
import re
import secrets
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils.html import format_html

logger = logging.getLogger(__name__)

KEPT_FOR = 60 * 60  # seconds: long enough to correct a form, short enough to cost little
KEY_PREFIX = "kept-upload:"
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def keep(upload: UploadedFile, owner) -> str | None:
    """Hold ``upload`` for ``owner``'s next submit; its token, or None when it cannot be held."""
    upload.seek(0)
    data = upload.read(settings.IMAGE_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > settings.IMAGE_MAX_BYTES:
        return None  # refused for its size anyway: nothing worth keeping
    token = secrets.token_urlsafe(32)
    held = {"owner": owner, "name": upload.name, "content_type": upload.content_type, "data": data}
    try:
        cache.set(KEY_PREFIX + token, held, KEPT_FOR)
    except Exception as error:  # the cache's client raises its own errors; the form still works
        logger.warning("Could not keep the upload %r (%s): it must be chosen again", upload, error)
        return None
    return token


def kept(token: str, owner) -> SimpleUploadedFile | None:
    """The upload held under ``token`` for ``owner``, or None (unknown, expired, someone
    else's, or not a token at all).

    A token serves one submit: it is forgotten when that submit's transaction commits (a
    form that comes back again keeps the file under a new token). A save the database
    refused and rolled back forgets nothing, so checking it again still has the file."""
    if not TOKEN.fullmatch(token or ""):
        return None
    try:
        held = cache.get(KEY_PREFIX + token)
    except Exception as error:
        logger.warning("Could not read a kept upload (%s)", error)
        return None
    if not held or held.get("owner") != owner:
        return None
    transaction.on_commit(partial(_forget, token))
    return SimpleUploadedFile(held["name"], held["data"], held["content_type"])


def _forget(token: str) -> None:
    try:
        cache.delete(KEY_PREFIX + token)
    except Exception as error:  # it expires on its own
        logger.warning("Could not forget a kept upload (%s)", error)


def keeps_chosen_file(widget_class):
    """``widget_class`` (a file input) that keeps its chosen file across a form's errors."""

    class KeptFileWidget(widget_class):
        # Per form: Django copies a field's widget for each form instance. ``owner`` (the
        # person's id) is set by the admin that uses the widget; ``refused`` by a formset
        # whose field refused the file (not worth keeping).
        owner = None
        refused = False
        lost = ""
        chosen = None
        _token = _upload = None

        def value_from_datadict(self, data, files, name):
            value = super().value_from_datadict(data, files, name)
            token = data.get(f"{name}__kept")
            if value is None and token:  # nothing new chosen, nor the file cleared
                if token != self._token:  # read once per form: a token serves one submit
                    self._token, self._upload = token, kept(token, self.owner)
                value = self._upload
                if value is None:
                    self.lost = str(data.get(f"{name}__kept_name", ""))[:200] or "a file"
            self.chosen = value
            return value

        def render(self, name, value, attrs=None, renderer=None):
            html = super().render(name, value, attrs, renderer)
            # Django renders a bound file field with its initial value (a browser cannot be
            # given a file), so the upload is the one value_from_datadict saw.
            upload = self.chosen
            if not isinstance(upload, UploadedFile) or self.refused:
                return html
            token = keep(upload, self.owner)
            if token is None:
                return format_html(
                    '{}<p class="kept-upload text-sm mt-1">“{}” was chosen: choose it again.</p>',
                    html,
                    upload.name,
                )
            return format_html(
                '{}<input type="hidden" name="{}__kept" value="{}">'
                '<input type="hidden" name="{}__kept_name" value="{}">'
                '<p class="kept-upload text-sm mt-1">Kept: <strong>{}</strong> '
                "(saved with the form; choose another file to replace it)</p>",
                html,
                name,
                token,
                name,
                upload.name,
                upload.name,
            )

    KeptFileWidget.__name__ = f"Kept{widget_class.__name__}"
    return KeptFileWidget


def refuse_invalid_uploads(forms) -> None:
    """Keep no file a form's field refused (not an image, too big): it would fail again."""
    for form in forms:
        for name, field in form.fields.items():
            if name in form.errors and hasattr(field.widget, "refused"):
                field.widget.refused = True


def lost_uploads(forms) -> list[str]:
    """The names of kept files the cache no longer held, in these forms' widgets."""
    return [
        field.widget.lost
        for form in forms
        for field in form.fields.values()
        if getattr(field.widget, "lost", "")
    ]
