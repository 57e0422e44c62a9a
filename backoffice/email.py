"""E-mail wiring: ``EMAIL_URL`` to Django's SMTP settings, and a backend for "not configured"."""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend


def smtp_settings(url: str) -> dict:
    """``smtp://`` (plain), ``smtp+tls://`` (STARTTLS, port 587) or ``smtp+ssl://`` (465)."""
    parts = urlsplit(url)
    schemes = {
        "smtp": (False, False, 25),
        "smtp+tls": (True, False, 587),
        "smtp+ssl": (False, True, 465),
    }
    if parts.scheme not in schemes or not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL must look like smtp+tls://user:password@smtp.example.com:587 "
            "(schemes: smtp, smtp+tls, smtp+ssl)."
        )
    tls, ssl, port = schemes[parts.scheme]
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }


class RefusingBackend(BaseEmailBackend):
    """Production without EMAIL_URL: sending fails loudly instead of vanishing."""

    def send_messages(self, email_messages):
        if self.fail_silently:
            return 0
        raise ImproperlyConfigured("EMAIL_URL is not set: this instance cannot send e-mail.")
