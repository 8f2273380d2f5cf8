from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from congress.health import healthz

urlpatterns = [
    # Load balancers and monitors (README, "Deployment").
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # REST API (issue 5): /api/v1/…, /api/schema/, /api/docs/
    path("api/", include("suggestions.api.urls")),
    # ---- web pages (suggestions.web) ----
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("suggestions.web.urls")),
]
