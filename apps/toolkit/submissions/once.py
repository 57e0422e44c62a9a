"""Every POST of the admin as one submission: the wrapper the admin site puts around each of
its views (backoffice/sites.py)."""

import functools
import json
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from apps.toolkit.models import Submission
from apps.toolkit.submissions.answers import already_done_page, busy, refuse, replay
from apps.toolkit.submissions.keys import FIELD, body_digest, max_age, read, token_of
from apps.toolkit.submissions.recording import KeyRefused, Pending, RecordingStorage

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def once(view):
    """Run ``view`` as the admin site does with every view: a POST as one submission; a page
    opened with a key already used says what that key did."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        if request.method == "GET" and FIELD in request.GET:
            done = _used(request, request.GET[FIELD])
            if done is not None:
                return already_done_page(request, done)
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
                        return replay(request, first)
                return _apply(view, request, key, problem, token, *args, **kwargs)
        except KeyRefused as refusal:
            return refuse(request, str(refusal))
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            return busy(request)

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


def housekeep(now=None) -> int:
    """Remove submissions older than a key's lifetime (their keys are refused anyway)."""
    cutoff = (now or timezone.now()) - max_age() - timedelta(hours=1)
    deleted, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
