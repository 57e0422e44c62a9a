from django.http import HttpResponse
from django.urls import include, path

# The floor: a Django view that returns a fixed JSON body, through the same middleware.
MINIMAL_BODY = b'{"count":0,"next":null,"previous":null,"results":[]}'


def minimal(request):
    return HttpResponse(MINIMAL_BODY, content_type="application/json")


urlpatterns = [path("bench/minimal/", minimal), path("", include("backoffice.urls"))]
