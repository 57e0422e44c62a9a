"""The submission a POST is applying: whether it applied something (marked in the change's
own transaction), and what it said (its messages), to answer a repeat with."""

import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.safestring import SafeData

from apps.toolkit.models import Submission


class KeyRefused(Exception):
    """A POST applied something without a usable key; the message says why, for the person."""


@dataclass
class Pending:
    key: uuid.UUID | None
    problem: str
    said: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def pending_of(request) -> Pending | None:
    return getattr(request, "_submission", None)


def require_key(request) -> None:
    """Refuse (KeyRefused) a POST about to apply something without a usable key.

    Outside a POST that ``once`` runs (code calling an admin method directly) there is no
    submission, and nothing to check."""
    pending = pending_of(request)
    if pending is not None and pending.key is None:
        raise KeyRefused(pending.problem)


def applied(request) -> None:
    """This POST changed something: its key is kept as used (refused, and rolled back,
    without one). Marked in the database, in the transaction of the change itself: a change
    rolled back afterwards (a savepoint its view undoes) unmarks it."""
    require_key(request)
    pending = pending_of(request)
    if pending is not None:
        Submission.objects.filter(key=pending.key).update(applied=True)


def note(request, text: str) -> None:
    """What a POST did, in words, for a door that answers without a message (a script's)."""
    pending = pending_of(request)
    if pending is not None:
        pending.said.append([messages.SUCCESS, str(text), False])


class RecordingStorage(FallbackStorage):
    """Django's message storage, noting each message of a POST as what its submission did
    (``MESSAGE_STORAGE``), and forgetting them when the submission is refused."""

    def add(self, level, message, extra_tags=""):
        pending = pending_of(self.request)
        before = len(self._queued_messages)
        super().add(level, message, extra_tags)
        if pending is not None and len(self._queued_messages) > before:
            pending.said.append([level, str(message), isinstance(message, SafeData)])
            pending.messages.append(self._queued_messages[-1])

    def forget(self, added) -> None:
        self._queued_messages = [
            queued for queued in self._queued_messages if not any(queued is m for m in added)
        ]
