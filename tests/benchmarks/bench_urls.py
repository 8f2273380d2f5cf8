"""URLs for the API benchmark: the site's URLs plus a minimal Django view as the yardstick."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("congress.urls")),
]
