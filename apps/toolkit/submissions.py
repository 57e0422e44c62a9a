"""One submission, one effect: a double click, Back and resubmit, or a browser's retry never
applies a change twice.

- **A key per page.** Every form that changes something carries a one-time key from the page
  that drew it (``{% submission_key %}``; the admin's change forms, lists, confirmations and
  ``render_action_form`` put it there). The key is random, signed for the person it was drawn
  for, and dated: a key from another account, a forged one or one older than
  ``SUBMISSION_KEY_MAX_AGE`` is no key.
- **Recorded in the change's transaction.** The admin site runs every POST through
  :func:`once`: one transaction, which the view's writes (its service calls) join, and which
  first records the key in :class:`~apps.toolkit.models.Submission` (unique). A second POST of
  the same key waits for the first to finish, changes nothing and is answered with what the
  first did ("Already done at 14:02 by warehouse@…: ABY-M-BLK +10 Received…"). Two tabs are two
  pages, two keys: both apply.
- **Only what applied is recorded.** A view says it changed something with :func:`applied`
  (the admin's own hooks say it for change forms, list edits, deletions and actions). A POST
  that applied nothing — a form sent back with its errors, a confirmation page — gives its key
  back, so the corrected page can be sent with it. A POST that applies something without a
  valid key is refused and rolled back: the wrong way is impossible, not just unused.
- **Pages that make something new each time** (an adjustment, a note, a phone order, a new
  object) also pin their key in their address (:func:`pin`), so that Back, which draws the
  page again, draws it with the same key: sent again, it is recognised; opened again after it
  was used, it says what was done instead of offering the form.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import signing
from django.db import OperationalError, connection, transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeData, mark_safe

from apps.toolkit.models import Submission

#: The form field (and, for a page that pins it, the query parameter) carrying the key.
FIELD = "_submission"
#: The header a script sends it in (the list's switches).
HEADER = "X-Submission-Key"
_SALT = "apps.toolkit.submissions"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def max_age() -> timedelta:
    return settings.SUBMISSION_KEY_MAX_AGE


class KeyRefused(Exception):
    """A POST applied something without a usable key; the message says why, for the person."""


class Busy(Exception):
    """The same key is being applied by another request right now (a double click on a long
    import): its result shows when it is done."""


# Keys ---------------------------------------------------------------------------------------


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


def token_of(request) -> str:
    """The key a request carries: the form's field, a script's header, or the address."""
    return request.POST.get(FIELD) or request.headers.get(HEADER) or request.GET.get(FIELD) or ""


def page_token(request) -> str:
    """The key for a form the page draws now: the one this request carried, if it is still
    unused (a form drawn again with its errors, a confirmation, a pinned page), for the first
    form; a new one for any other."""
    token = getattr(request, "_submission_token", None)
    if token:
        request._submission_token = None
        return token
    return issue(request.user)


# The submission a POST is applying ------------------------------------------------------------


@dataclass
class Pending:
    key: uuid.UUID | None
    problem: str
    applied: bool = False
    said: list = field(default_factory=list)


def _pending(request) -> Pending | None:
    return getattr(request, "_submission", None)


def applied(request) -> None:
    """This POST changed something: record its key (refused, and rolled back, without one).

    Outside a POST that :func:`once` runs (code calling an admin method directly) there is no
    submission to record, and nothing to check."""
    pending = _pending(request)
    if pending is None:
        return
    if pending.key is None:
        raise KeyRefused(pending.problem)
    pending.applied = True


def note_message(request, level: int, message) -> None:
    """A message the view left: kept as what this submission did, to tell a repeat."""
    pending = _pending(request)
    if pending is not None:
        pending.said.append([level, str(message), isinstance(message, SafeData)])


class RecordingStorage(FallbackStorage):
    """Django's message storage, noting each message of a POST as what its submission did
    (``MESSAGE_STORAGE``)."""

    def add(self, level, message, extra_tags=""):
        if self.level is not None and level >= self.level:
            note_message(self.request, level, message)
        super().add(level, message, extra_tags)


# The wrapper of every admin view --------------------------------------------------------------


def once(view):
    """Run a POST to ``view`` as one submission (the admin site applies this to every view)."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        token = token_of(request)
        key, problem = read(token, request.user)
        try:
            with transaction.atomic():
                if key is not None:
                    first = _claim(key, request)
                    if first is not None:
                        return _replay(request, first)
                pending = Pending(key, problem)
                request._submission = pending
                try:
                    response = view(request, *args, **kwargs)
                finally:
                    request._submission = None
                if key is not None and pending.applied:
                    _record(key, pending, response)
                elif key is not None:
                    _release(key)
                    request._submission_token = token  # the page drawn again keeps it
            return response
        except KeyRefused as refusal:
            return _refuse(request, str(refusal))
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            return _busy(request)

    return run


def _claim(key, request) -> Submission | None:
    """Record ``key`` for this request; if it was recorded already, the first submission.

    A submission of the same key still running holds its row: this waits for it (at most
    ``SUBMISSION_WAIT_MS``), then sees it done, or given back and free to claim."""
    table = Submission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        before = cursor.fetchone()[0]
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{settings.SUBMISSION_WAIT_MS}ms"]
        )
        cursor.execute(
            f"INSERT INTO {table} (key, user_id, path, created_at, said, redirect_to) "
            "VALUES (%s, %s, %s, %s, '[]', '') ON CONFLICT (key) DO NOTHING RETURNING key",
            [key, request.user.pk, request.path[:500], timezone.now()],
        )
        claimed = cursor.fetchone() is not None
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    if claimed:
        return None
    return Submission.objects.select_related("user").get(key=key)


def _record(key, pending: Pending, response) -> None:
    redirect_to = response["Location"] if response.status_code in _REDIRECTS else ""
    answer = None
    if response.get("Content-Type", "").startswith("application/json"):
        answer = json.loads(response.content)
    Submission.objects.filter(key=key).update(
        said=pending.said, redirect_to=redirect_to[:2000], answer=answer
    )


def _release(key) -> None:
    Submission.objects.filter(key=key).delete()


# Answers --------------------------------------------------------------------------------------


def done_message(first: Submission):
    """ "Already done at 14:02 by warehouse@… — sent twice, done once: <what it did>"."""
    when = timezone.localtime(first.created_at)
    today = timezone.localdate()
    stamp = when.strftime("%H:%M") if when.date() == today else when.strftime("%d %b %Y %H:%M")
    said = [
        mark_safe(text) if safe else conditional_escape(text)  # HTML as it was sent
        for _, text, safe in first.said
    ]
    what = mark_safe(" ".join(said)) if said else "it was saved."  # escaped above
    return format_html(
        "Already done at {} by {} — this was sent twice and done once: {}",
        stamp,
        first.user.email,
        what,
    )


def _wants_json(request) -> bool:
    """A script's request (the list's switches send the key as a header), not a form's."""
    return bool(request.headers.get(HEADER)) or "application/json" in request.headers.get(
        "Accept", ""
    )


def _replay(request, first: Submission):
    message = done_message(first)
    if first.answer is not None or _wants_json(request):
        answer = first.answer if isinstance(first.answer, dict) else {}
        return JsonResponse({**answer, "repeated": True, "message": str(message)})
    messages.info(request, message)
    return HttpResponseRedirect(first.redirect_to or request.get_full_path())


def _refuse(request, reason: str):
    reason = f"{reason}: nothing was saved. Open the page again and send it from there."
    if _wants_json(request):
        return JsonResponse({"error": reason}, status=400)
    query = request.GET.copy()
    query.pop(FIELD, None)  # the page opened afresh, with a key of its own
    context = {
        **admin.site.each_context(request),
        "title": "Not sent",
        "reason": reason,
        "again_url": f"{request.path}?{query.urlencode()}" if query else request.path,
    }
    return TemplateResponse(request, "toolkit/not_sent.html", context, status=400)


def _busy(request):
    text = (
        "This was sent twice and the first is still being saved: its result shows here when it "
        "is done. Nothing was done twice."
    )
    if _wants_json(request):
        return JsonResponse({"error": text}, status=409)
    messages.warning(request, text)
    return HttpResponseRedirect(request.get_full_path())


# Pages that pin their key in their address ---------------------------------------------------


def pin(request, *, title: str, again: str):
    """For a GET of a page whose form makes something new each time: None when the address
    carries a usable key (the form is drawn with it), else the answer — a redirect that pins
    a new key, or, for a key already used, a page saying what it did.

    ``title`` names the page; ``again`` labels the way to a fresh form ("Adjust again")."""
    token = request.GET.get(FIELD, "")
    key, _ = read(token, request.user)
    if key is None:
        query = request.GET.copy()
        query[FIELD] = issue(request.user)
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
    first = Submission.objects.select_related("user").filter(key=key).first()
    if first is None:
        request._submission_token = token
        return None
    fresh = request.GET.copy()
    fresh.pop(FIELD, None)
    context = {
        **admin.site.each_context(request),
        "title": title,
        "message": done_message(first),
        "result_url": first.redirect_to,
        "again_url": f"{request.path}?{urlencode(fresh, doseq=True)}" if fresh else request.path,
        "again_label": again,
    }
    return TemplateResponse(request, "toolkit/already_done.html", context)


def housekeep(now=None) -> int:
    """Remove submissions older than a key's lifetime (their keys are refused anyway)."""
    cutoff = (now or timezone.now()) - max_age() - timedelta(hours=1)
    deleted, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
