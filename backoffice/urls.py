from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from apps.feed.api import api as feed_api
from backoffice import health

urlpatterns = [
    path("health", health.health, name="health"),
    path("api/", feed_api.urls),
    path(settings.ADMIN_URL_PATH, admin.site.urls),
    path("", RedirectView.as_view(url=f"/{settings.ADMIN_URL_PATH}", permanent=False)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
