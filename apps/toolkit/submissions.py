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
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import signing
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
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


# The submission a POST is applying ------------------------------------------------------------


@dataclass
class Pending:
    key: uuid.UUID | None
    problem: str
    said: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def _pending(request) -> Pending | None:
    return getattr(request, "_submission", None)


def require_key(request) -> None:
    """Refuse (KeyRefused) a POST about to apply something without a usable key.

    Outside a POST that :func:`once` runs (code calling an admin method directly) there is no
    submission, and nothing to check."""
    pending = _pending(request)
    if pending is not None and pending.key is None:
        raise KeyRefused(pending.problem)


def applied(request) -> None:
    """This POST changed something: its key is kept as used (refused, and rolled back,
    without one). Marked in the database, in the transaction of the change itself: a change
    rolled back afterwards (a savepoint its view undoes) unmarks it."""
    require_key(request)
    pending = _pending(request)
    if pending is not None:
        Submission.objects.filter(key=pending.key).update(applied=True)


def note(request, text: str) -> None:
    """What a POST did, in words, for a door that answers without a message (a script's)."""
    pending = _pending(request)
    if pending is not None:
        pending.said.append([messages.SUCCESS, str(text), False])


class RecordingStorage(FallbackStorage):
    """Django's message storage, noting each message of a POST as what its submission did
    (``MESSAGE_STORAGE``), and forgetting them when the submission is refused."""

    def add(self, level, message, extra_tags=""):
        pending = _pending(self.request)
        before = len(self._queued_messages)
        super().add(level, message, extra_tags)
        if pending is not None and len(self._queued_messages) > before:
            pending.said.append([level, str(message), isinstance(message, SafeData)])
            pending.messages.append(self._queued_messages[-1])

    def forget(self, added) -> None:
        self._queued_messages = [m for m in self._queued_messages if m not in added]


# The wrapper of every admin view --------------------------------------------------------------


def once(view):
    """Run ``view`` as the admin site does with every view: a POST as one submission; a page
    opened with a key already used says what that key did."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        if request.method == "GET" and FIELD in request.GET:
            done = _used(request, request.GET[FIELD])
            if done is not None:
                return _already_done_page(request, done)
        if request.method != "POST":
            return view(request, *args, **kwargs)
        token, mismatch = token_of(request)
        key, problem = read(token, request.user)
        problem = mismatch or problem
        key = None if mismatch else key
        try:
            with transaction.atomic():
                if key is not None:
                    first = _claim(key, request)
                    if first is not None:
                        return _replay(request, first)
                return _apply(view, request, key, problem, token, *args, **kwargs)
        except KeyRefused as refusal:
            return _refuse(request, str(refusal))
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            return _busy(request)

    return run


def _apply(view, request, key, problem, token, *args, **kwargs):
    pending = Pending(key, problem)
    request._submission = pending
    try:
        response = view(request, *args, **kwargs)
    except KeyRefused:
        storage = getattr(request, "_messages", None)
        if isinstance(storage, RecordingStorage):  # nothing it said happened
            storage.forget(pending.messages)
        raise
    finally:
        request._submission = None
    if key is not None and not _record(key, pending, response):
        _release(key)
        request._submission_token = token  # the page drawn again keeps it
    return response


def _used(request, token) -> Submission | None:
    key, _ = read(token, request.user)
    if key is None:
        return None
    return Submission.objects.select_related("user").filter(key=key, applied=True).first()


def _claim(key, request) -> Submission | None:
    """Record ``key`` for this request; if it was recorded already, the first submission.

    A submission of the same key still running holds its row: this waits for it (at most
    ``SUBMISSION_WAIT_MS``), then sees it done, or given back and free to claim."""
    table = Submission._meta.db_table
    with connection.cursor() as cursor:
        # Only this wait is bounded: the view's own locks wait as they always did.
        wait = int(settings.SUBMISSION_WAIT_MS)
        cursor.execute(f"SET LOCAL lock_timeout = {wait}")
        cursor.execute(
            f"INSERT INTO {table} (key, user_id, path, created_at, said, redirect_to, body, "
            "applied) VALUES (%s, %s, %s, %s, '[]', '', %s, false) "
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            [key, request.user.pk, request.path[:500], timezone.now(), body_digest(request)],
        )
        claimed = cursor.fetchone() is not None
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    if claimed:
        return None
    return Submission.objects.select_related("user").get(key=key)


# The page a popup's add answers with is kept to answer a repeat the same way (it closes the
# popup and picks the new object); a larger page is not.
PAGE_KEPT_BYTES = 64 * 1024


def _record(key, pending: Pending, response) -> bool:
    """Keep what an applied submission did; False when it applied nothing after all."""
    redirect_to = response["Location"] if response.status_code in _REDIRECTS else ""
    kind = response.get("Content-Type", "")
    answer = json.loads(response.content) if kind.startswith("application/json") else None
    recorded = Submission.objects.filter(key=key, applied=True).update(
        said=pending.said, redirect_to=redirect_to[:2000], answer=answer
    )
    if recorded and answer is None and response.status_code == 200 and kind.startswith("text/"):
        rendered = response.render() if hasattr(response, "render") else response
        if len(rendered.content) <= PAGE_KEPT_BYTES:  # a popup's page that closes it
            page = {"page": rendered.content.decode()}
            Submission.objects.filter(key=key).update(answer=page)
    return bool(recorded)


def _release(key) -> None:
    Submission.objects.filter(key=key).delete()


# Answers --------------------------------------------------------------------------------------


def _stamp(first: Submission) -> str:
    when = timezone.localtime(first.created_at)
    if when.date() == timezone.localdate():
        return when.strftime("%H:%M")
    return when.strftime("%d %b %Y %H:%M")


def _what_it_did(first: Submission):
    said = [
        mark_safe(text) if safe else conditional_escape(text)  # HTML as it was sent
        for _, text, safe in first.said
    ]
    return mark_safe(" ".join(said)) if said else "it was saved."  # escaped above


def done_message(first: Submission):
    """ "Already done at 14:02 by warehouse@… — sent twice, done once: <what it did>"."""
    return format_html(
        "Already done at {} by {} — this was sent twice and done once: {}",
        _stamp(first),
        first.user.email,
        _what_it_did(first),
    )


def _wants_json(request) -> bool:
    """A script's request (the list's switches send the key as a header), not a form's."""
    return bool(request.headers.get(HEADER)) or "application/json" in request.headers.get(
        "Accept", ""
    )


def _replay(request, first: Submission):
    if first.body != body_digest(request):
        return _other_body(request, first)
    message = done_message(first)
    answer = first.answer if isinstance(first.answer, dict) else None
    if answer is not None and "page" in answer:
        return HttpResponse(answer["page"])
    if answer is not None or _wants_json(request):
        return JsonResponse({**(answer or {}), "repeated": True, "message": str(message)})
    if first.redirect_to or FIELD not in request.GET:  # else its page, drawn again, says it
        messages.info(request, message)
    return HttpResponseRedirect(first.redirect_to or request.get_full_path())


def _other_body(request, first: Submission):
    """A page whose key was used already, sent with something else (a duplicated tab, an
    address opened twice): not done, and what was typed is shown, to be sent afresh."""
    reason = format_html(
        "This page was already sent at {} by {}: {} What you sent now is different, so it "
        "was not done",
        _stamp(first),
        first.user.email,
        _what_it_did(first),
    )
    return _refuse(request, reason, typed=_typed(request), status=409)


def _typed(request) -> list[tuple[str, str]]:
    """What a refused form held, to copy from: the fields a person types (no keys, tokens,
    passwords or hidden state)."""
    skipped = (FIELD, "csrfmiddlewaretoken", "seen_state", "index", "action", "select_across")
    return [
        (name.replace("_", " ").capitalize(), value)
        for name, values in request.POST.lists()
        if name not in skipped and "password" not in name and not name.startswith("_")
        for value in values
        if value.strip()
    ][:20]


def _refuse(request, reason, *, typed=(), status=400):
    reason = format_html(
        "{}: nothing was saved. Open the page again and send it from there.", reason
    )
    if _wants_json(request):
        return JsonResponse({"error": str(reason)}, status=status)
    query = request.GET.copy()
    query.pop(FIELD, None)  # the page opened afresh, with a key of its own
    context = {
        **admin.site.each_context(request),
        "title": "Not sent",
        "reason": reason,
        "typed": typed,
        "again_url": f"{request.path}?{query.urlencode()}" if query else request.path,
    }
    return TemplateResponse(request, "toolkit/not_sent.html", context, status=status)


def _busy(request):
    text = (
        "This was sent twice and the first is still being saved: its result shows here when it "
        "is done. Nothing was done twice."
    )
    if _wants_json(request):
        return JsonResponse({"error": text}, status=409)
    messages.warning(request, text)
    return HttpResponseRedirect(request.get_full_path())


def _already_done_page(request, first: Submission):
    fresh = request.GET.copy()
    fresh.pop(FIELD, None)
    context = {
        **admin.site.each_context(request),
        "title": "Already done",
        "message": done_message(first),
        "result_url": first.redirect_to,
        "again_url": f"{request.path}?{fresh.urlencode()}" if fresh else request.path,
        "again_label": "Use this page again",
    }
    return TemplateResponse(request, "toolkit/already_done.html", context)


# Pages that pin their key in their address ---------------------------------------------------


def pin(request):
    """For a GET of a page whose form makes something new each time: None when the address
    carries a usable key (the form is drawn with it), else the redirect that pins a new one.
    (A key already used never reaches the page: :func:`once` answers with what it did.)"""
    token = request.GET.get(FIELD, "")
    key, _ = read(token, request.user)
    if key is None:
        query = request.GET.copy()
        query[FIELD] = issue(request.user)
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
    request._submission_token = token
    return None


def housekeep(now=None) -> int:
    """Remove submissions older than a key's lifetime (their keys are refused anyway)."""
    cutoff = (now or timezone.now()) - max_age() - timedelta(hours=1)
    deleted, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
