"""The keys: drawn with a page, signed for the person and dated, read back from a POST (its
form's field, a script's header, or a page's address), and pinned in the address of a page
whose form makes something new each time."""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpResponseRedirect

#: The form field (and, for a page that pins it, the query parameter) carrying the key.
FIELD = "_submission"
#: The header a script sends it in (the list's switches).
HEADER = "X-Submission-Key"
_SALT = "apps.toolkit.submissions"


def max_age() -> timedelta:
    return settings.SUBMISSION_KEY_MAX_AGE


def _signer(user_pk) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}:{user_pk}")


def issue(user) -> str:
    """A new key for ``user`` (a user or a primary key), as a page carries it."""
    user_pk = getattr(user, "pk", user)
    return _signer(user_pk).sign(uuid.uuid4().hex)


def read(token, user) -> tuple[uuid.UUID | None, str]:
    """The key ``token`` carries for ``user``, or None and why it cannot be used."""
    if not token or not getattr(user, "is_authenticated", False):
        return None, (
            "This form carried no submission key (it was not drawn by a page of the back "
            "office, or before an update of it)"
        )
    try:
        value = _signer(user.pk).unsign(str(token), max_age=max_age())
        return uuid.UUID(hex=value), ""
    except signing.SignatureExpired:
        days = max_age().days
        return None, f"This page was drawn more than {days} days ago, so it can no longer be sent"
    except (signing.BadSignature, ValueError):
        return None, "This form's submission key is not one drawn for you"


def token_of(request) -> tuple[str, str]:
    """The key a request carries — the form's field, a script's header, or the address — and
    what is wrong with it when the form's and the address's differ (only a crafted post)."""
    pinned = request.GET.get(FIELD, "")
    sent = request.POST.get(FIELD) or request.headers.get(HEADER) or pinned
    if pinned and sent != pinned:
        return "", "This form's submission key is not the one of its page"
    return sent, ""


def page_token(request) -> str:
    """The key for a form the page draws now: the one this request carried, if it is still
    unused (a form drawn again with its errors, a confirmation, a pinned page), for the first
    form; a new one for any other."""
    token = getattr(request, "_submission_token", None)
    if token:
        request._submission_token = None
        return token
    return issue(request.user)


def body_digest(request) -> str:
    """What a POST sends, the keys aside: a repeat sends the same; another page with the same
    key (a duplicated tab) sends something else."""
    fields = sorted(
        (name, value)
        for name, values in request.POST.lists()
        if name not in (FIELD, "csrfmiddlewaretoken")
        for value in values
    )
    files = sorted(
        (name, upload.name, upload.size)
        for name, uploads in request.FILES.lists()
        for upload in uploads
    )
    return hashlib.sha256(repr((fields, files)).encode()).hexdigest()


def pin(request):
    """For a GET of a page whose form makes something new each time: None when the address
    carries a usable key (the form is drawn with it), else the redirect that pins a new one.
    (A key already used never reaches the page: ``once`` answers with what it did.)"""
    token = request.GET.get(FIELD, "")
    key, _ = read(token, request.user)
    if key is None:
        query = request.GET.copy()
        query[FIELD] = issue(request.user)
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
    request._submission_token = token
    return None
