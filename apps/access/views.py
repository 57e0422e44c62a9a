"""Refusals a person understands: 403 and 404 pages in the admin's own layout for staff.

``backoffice/urls.py`` installs these as ``handler403`` / ``handler404``. Outside the admin
(the JSON feed, health checks) and for anonymous visitors the answer stays short and reveals
nothing.
"""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.access.policy import role_summary

ADMIN_PREFIX = f"/{settings.ADMIN_URL_PATH}"


def _is_admin_page(request) -> bool:
    user = getattr(request, "user", None)
    return (
        request.path.startswith(ADMIN_PREFIX)
        and user is not None
        and user.is_authenticated
        and user.is_staff
        and user.is_active
    )


def _safe_referer(request) -> str | None:
    referer = request.META.get("HTTP_REFERER", "")
    host = request.get_host()
    for scheme in ("http://", "https://"):
        prefix = f"{scheme}{host}{ADMIN_PREFIX}"
        if referer.startswith(prefix) and referer.split("?")[0] != request.build_absolute_uri(
            request.path
        ):
            return referer
    return None


def _reason(exception) -> str:
    message = str(exception or "").strip()
    # Django raises bare PermissionDenied(); its str() is empty.
    return message or "Your role does not include this page or action."


def _render(request, *, status, title, reason):
    context = {
        **admin.site.each_context(request),
        "title": title,
        "reason": reason,
        "role_summary": role_summary(request.user),
        "back_url": _safe_referer(request),
        "home_url": reverse("admin:index"),
    }
    response = TemplateResponse(request, "access/refused.html", context, status=status)
    return response.render()


def permission_denied(request, exception=None):
    if _is_admin_page(request):
        return _render(
            request, status=403, title="Not available to your role", reason=_reason(exception)
        )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Forbidden."}, status=403)
    return HttpResponseForbidden("Forbidden.", content_type="text/plain")


def csrf_failure(request, reason=""):
    if _is_admin_page(request):
        return _render(
            request,
            status=403,
            title="Please try again",
            reason="This form has expired or was opened in another window or session, so it "
            "was not sent. Nothing was saved: go back, reload the page and send it again.",
        )
    return HttpResponseForbidden("CSRF verification failed.", content_type="text/plain")


def page_not_found(request, exception=None):
    if _is_admin_page(request):
        return _render(
            request,
            status=404,
            title="Page not found",
            reason="There is no such page, or what it showed has been deleted.",
        )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return HttpResponseNotFound("Not found.", content_type="text/plain")
