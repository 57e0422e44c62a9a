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
  The same key sent with something else (a duplicated tab of a pinned page) is not a repeat:
  it is not done, and what was typed is shown to send afresh.
- **Only what applied is recorded.** A view says it changed something with :func:`applied`
  (the admin's own hooks say it for change forms, list edits, deletions and actions), which
  marks the key in the transaction of the change: a change its view rolls back unmarks it. A
  POST that applied nothing — a form sent back with its errors, a confirmation page — gives
  its key back, so the corrected page can be sent with it. A POST that applies something
  without a valid key is refused and rolled back, its messages forgotten: the wrong way is
  impossible, not just unused.
- **Pages that make something new each time** (an adjustment, a note, a phone order, a new
  object) also pin their key in their address (:func:`pin`), so that Back, which draws the
  page again, draws it with the same key: sent again, it is recognised. Any page opened with a
  used key says what was done instead of offering its form.
"""

from apps.toolkit.submissions.answers import done_message
from apps.toolkit.submissions.keys import (
    FIELD,
    HEADER,
    body_digest,
    issue,
    max_age,
    page_token,
    pin,
    read,
    token_of,
)
from apps.toolkit.submissions.once import housekeep, once
from apps.toolkit.submissions.recording import (
    KeyRefused,
    RecordingStorage,
    applied,
    note,
    require_key,
)

__all__ = [
    "FIELD",
    "HEADER",
    "KeyRefused",
    "RecordingStorage",
    "applied",
    "body_digest",
    "done_message",
    "housekeep",
    "issue",
    "max_age",
    "note",
    "once",
    "page_token",
    "pin",
    "read",
    "require_key",
    "token_of",
]
