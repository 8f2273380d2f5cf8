from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # REST API (issue 5): /api/v1/…, /api/schema/, /api/docs/
    path("api/", include("suggestions.api.urls")),
]
