"""Where requests come from, behind Render's proxy."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: the entry Render's proxy appended to X-Forwarded-For.

    Only the last ``TRUSTED_PROXY_COUNT`` entries were written by proxies we run behind; the
    ones before them are whatever the client sent, so they are never trusted. An entry that
    is not an IP address ("garbage", "203.0.113.010") is ignored like a missing one: the
    socket's address is used, so such a request counts towards that address's lockout.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [part.strip() for part in forwarded.split(",")]
        if len(parts) >= hops:
            candidate = _ip(parts[-hops])
            if candidate:
                return candidate
    return _ip(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
