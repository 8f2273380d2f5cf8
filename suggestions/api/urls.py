"""/api/v1/… endpoints, /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI, local assets)."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from suggestions.api import tokens
from suggestions.api.exceptions import error_body
from suggestions.api.views import exports, public, statistics, workspace

router = DefaultRouter()
router.register("suggestions", public.PublicSuggestionViewSet, basename="public-suggestion")
router.register("congresses", public.CongressViewSet, basename="congress")
router.register("units", public.HandlingUnitViewSet, basename="unit")
router.register(
    "workspace/suggestions", workspace.WorkspaceSuggestionViewSet, basename="work-suggestion"
)

v1 = [
    path("", include(router.urls)),
    path(
        "suggestions/<int:pk>/transitions/<str:name>/",
        workspace.TransitionView.as_view(),
        name="suggestion-transition",
    ),
    path(
        "suggestions/<int:pk>/cosignature/confirm/",
        workspace.ConfirmCosignatureView.as_view(),
        name="suggestion-cosignature-confirm",
    ),
    path(
        "assignments/<int:pk>/contacts/",
        workspace.ContactView.as_view(),
        name="assignment-contacts",
    ),
    path(
        "assignments/<int:pk>/co-opinions/",
        workspace.CoOpinionView.as_view(),
        name="assignment-co-opinions",
    ),
    path("replies/<int:pk>/publish/", workspace.PublishReplyView.as_view(), name="reply-publish"),
    path(
        "statistics/congresses/<int:pk>/",
        statistics.CongressStatisticsView.as_view(),
        name="statistics-congress",
    ),
    path(
        "statistics/congresses/<int:pk>/sessions/",
        statistics.CongressSessionsStatisticsView.as_view(),
        name="statistics-congress-sessions",
    ),
    path(
        "statistics/congresses/<int:pk>/units/",
        statistics.CongressUnitsStatisticsView.as_view(),
        name="statistics-congress-units",
    ),
    path(
        "statistics/sessions/<int:pk>/",
        statistics.SessionStatisticsView.as_view(),
        name="statistics-session",
    ),
    path(
        "statistics/units/<int:pk>/",
        statistics.UnitStatisticsView.as_view(),
        name="statistics-unit",
    ),
    re_path(
        r"^exports/sessions/(?P<pk>\d+)/ledger\.(?P<file_format>xlsx|csv)$",
        exports.SessionLedgerView.as_view(),
        name="ledger-session",
    ),
    re_path(
        r"^exports/units/(?P<pk>\d+)/ledger\.(?P<file_format>xlsx|csv)$",
        exports.UnitLedgerView.as_view(),
        name="ledger-unit",
    ),
    path("exports/ledgers/", exports.LedgerExportStartView.as_view(), name="ledger-export-start"),
    path("exports/ledgers/<int:pk>/", exports.LedgerExportView.as_view(), name="ledger-export"),
    path(
        "exports/ledgers/<int:pk>/download/",
        exports.LedgerExportDownloadView.as_view(),
        name="ledger-export-download",
    ),
    path(
        "exports/ledgers/<int:pk>/retry/",
        exports.LedgerExportRetryView.as_view(),
        name="ledger-export-retry",
    ),
    path("auth/token/", tokens.ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", tokens.RevokeTokenView.as_view(), name="api-token-revoke"),
    path(
        "auth/token/revoke-all/",
        tokens.RevokeAllTokensView.as_view(),
        name="api-token-revoke-all",
    ),
]


@csrf_exempt  # a POST to a wrong address must get the JSON 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """Any other /api/ address: the API's JSON 404, not the site's HTML page."""
    return JsonResponse(
        error_body("not_found", gettext("没有这个接口地址：%(path)s") % {"path": request.path}),
        status=404,
    )


urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^", not_found),
]
