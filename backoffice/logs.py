"""Structured (JSON) logs with no personal data: e-mail addresses and phone numbers in a
message are masked before it is written, and request logs carry paths, never query strings.

Every line is one ``json.dumps`` call, so no request can forge a line or break one: a path
holding a newline or a quote is escaped like any other string.
"""

import json
import logging
import re
from datetime import UTC, datetime

from gunicorn.glogging import Logger

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# A run of digits with the separators people write phone numbers with...
PHONE_LIKE = re.compile(r"\+?\(?\d[\d ()./-]{6,}\d")
# ...but not dates and times, which have the same characters.
DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
PHONE_MIN_DIGITS = 9


def _mask_phone(match: re.Match) -> str:
    text = match.group(0)
    if DATE.search(text) or sum(c.isdigit() for c in text) < PHONE_MIN_DIGITS:
        return text
    return "[phone]"


def redact(text: str) -> str:
    return PHONE_LIKE.sub(_mask_phone, EMAIL.sub("[email]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request = getattr(record, "request", None)
        if request is not None:
            entry["method"] = getattr(request, "method", None)
            entry["path"] = getattr(request, "path", None)  # no query string: it may hold e-mails
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class JsonAccessLogger(Logger):
    """gunicorn's access log as JSON: method, path (no query string), status, size, time.

    gunicorn's own formatter pastes atoms into a format string, so a decoded path such as
    ``/healthz\\n{...}`` would write a second, forged line. No client address either: it is
    personal data.
    """

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        self.access_log.info(access_line(self.atoms(resp, req, environ, request_time)))


def access_line(atoms: dict) -> str:
    return json.dumps(
        {
            "logger": "gunicorn.access",
            "method": atoms.get("m"),
            "path": atoms.get("U"),
            "status": atoms.get("s"),
            "bytes": atoms.get("B"),
            "ms": atoms.get("M"),
        },
        ensure_ascii=True,
    )
