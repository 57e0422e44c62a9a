"""Where requests come from, behind Render's proxy."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: the entry Render's proxy appended to X-Forwarded-For.

    Only the last ``TRUSTED_PROXY_COUNT`` entries were written by proxies we run behind; the
    ones before them are whatever the client sent, so they are never trusted.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR", "")
