from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import HttpResponseNotFound
from django.shortcuts import redirect
from django.urls import path

from apps.access import password_reset
from apps.feed.api import api as feed_api
from backoffice import health

handler403 = "apps.access.views.permission_denied"
handler404 = "apps.access.views.page_not_found"


def root(request):
    """Signed-in staff go to the admin; anybody else learns nothing (not even its path)."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(f"/{settings.ADMIN_URL_PATH}")
    return HttpResponseNotFound("Not found.", content_type="text/plain")


ADMIN = settings.ADMIN_URL_PATH
urlpatterns = [
    path("health", health.health, name="health"),
    path("api/", feed_api.urls),
    # Staff password resets (the sign-in page links the first when it exists).
    path(
        f"{ADMIN}password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        f"{ADMIN}password_reset/done/",
        password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        f"{ADMIN}reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        f"{ADMIN}reset/done/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(ADMIN, admin.site.urls),
    path("", root, name="root"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
