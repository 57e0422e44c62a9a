from django.http import HttpResponse
from django.urls import include, path

from bench.drf_feed import urlpatterns_under

# The floor: a Django view that returns a fixed JSON body, through the same middleware.
MINIMAL_BODY = b'{"count":0,"next":null,"previous":null,"results":[]}'


def minimal(request):
    return HttpResponse(MINIMAL_BODY, content_type="application/json")


urlpatterns = [
    path("bench/minimal/", minimal),
    # The same feed written with Django REST framework, plain and behind cache_page(60).
    *urlpatterns_under("bench/drf/"),
    *urlpatterns_under("bench/drf-cached/", cached=True),
    path("", include("backoffice.urls")),
]
