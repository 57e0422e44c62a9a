"""Middleware the whole site needs: the liveness probe, a Content-Security-Policy per kind of
page."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware

from backoffice.health import healthz

# The admin runs unfold: Alpine.js (which evaluates its attribute expressions, hence
# 'unsafe-eval'), inline styles and a few inline scripts; everything else comes from here,
# images also from Cloudinary.
ADMIN_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https://res.cloudinary.com; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The feed is JSON: nothing in it may run, load or be framed. The API docs page needs its
# Swagger UI scripts and styles.
FEED_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy(request.path)
        return response

    @staticmethod
    def policy(path: str) -> str:
        if path.startswith("/api/docs"):
            return DOCS_POLICY
        if path.startswith("/api/"):
            return FEED_POLICY
        return ADMIN_POLICY


class CompressPagesMiddleware(GZipMiddleware):
    """The back office's HTML pages gzipped for browsers that accept it (a list of 100 rows
    is ~200 KB, ~20 KB compressed).

    Safe with the CSRF token in every form: Django masks it afresh in each response and adds
    random bytes to each gzip stream (its BREACH mitigations), so no secret repeats across
    responses for an attacker to guess by size; the pages hold no other secret, and the
    session cookie is SameSite=Lax, so another site cannot have them fetched with the
    person's session to measure. Only HTML: the storefront feed keeps its own
    cached bodies (apps/feed/cache.py), CSV/XLSX downloads stream as they are, and static
    files come precompressed from whitenoise.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


class HealthzMiddleware:
    """Answer the platform's liveness probe before anything else runs.

    Render probes ``healthCheckPath`` from inside its network, with a Host header that need
    not be in ``ALLOWED_HOSTS`` and over plain HTTP: answered here, first in the stack, the
    probe depends on neither the host list, the HTTPS redirect, the database nor the cache.
    It says only that the process is up, which reveals nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


class RejectNulMiddleware:
    """A query parameter or a path holding a NUL character is a 400, before any view runs.

    PostgreSQL can neither store nor compare text with NUL in it, so such a value reaching a
    filter or a search would be a 500; no person types one.
    """

    message = "A request parameter contains a NUL character, which is never valid here."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, value in _pairs(request.GET)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": self.message}, status=400)
            return HttpResponseBadRequest(self.message, content_type="text/plain")
        return self.get_response(request)


def _pairs(querydict):
    for key, values in querydict.lists():
        for value in values:
            yield key, value
