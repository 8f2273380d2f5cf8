"""URLs of the web pages. Public addresses are stable: /, /suggestions/, /suggestions/<id>/,
/stats/."""

from django.urls import path

from . import (
    deputy,
    exports,
    inbox,
    public,
    staff,
    staff_calendar,
    staff_reminders,
    stats,
    unit,
    workbench,
)
from .roles_views import after_login

app_name = "web"

urlpatterns = [
    # Public (no login)
    path("", public.home, name="home"),
    path("suggestions/", public.suggestion_list, name="suggestion-list"),
    path("suggestions/<int:pk>/", public.suggestion_detail, name="suggestion-detail"),
    path("stats/", stats.public_stats, name="stats"),
    # After login: each user to their home
    path("home/", after_login, name="after-login"),
    path("inbox/", inbox.inbox_page, name="inbox"),
    # Deputies
    path("deputy/", deputy.deputy_home, name="deputy-home"),
    path("deputy/new/", deputy.deputy_new, name="deputy-new"),
    path(
        "deputy/suggestions/<int:pk>/",
        deputy.DeputySuggestionPage.as_view(),
        name="deputy-suggestion",
    ),
    # Congress staff and leaders
    path("staff/", workbench.workbench, name="staff-workbench"),
    path("staff/dashboard/", stats.staff_dashboard, name="staff-dashboard"),
    path(
        "staff/suggestions/<int:pk>/",
        staff.StaffSuggestionPage.as_view(),
        name="staff-suggestion",
    ),
    path("staff/reminders/", staff_reminders.failed_reminders, name="staff-reminders"),
    path(
        "staff/provisional-deadlines/",
        staff_calendar.provisional_deadlines,
        name="staff-provisional",
    ),
    path(
        "staff/reminders/<int:pk>/resend/",
        staff_reminders.resend_reminder,
        name="staff-reminder-resend",
    ),
    path(
        "staff/reminders/resend-all/",
        staff_reminders.resend_all_reminders,
        name="staff-reminders-resend-all",
    ),
    # Ledger exports: staff, and unit members for their own unit
    path("staff/exports/", exports.ledger_exports, name="ledger-exports"),
    path("staff/exports/<int:pk>/", exports.ledger_export, name="ledger-export"),
    path(
        "staff/exports/<int:pk>/download/",
        exports.ledger_export_download,
        name="ledger-export-download",
    ),
    path("staff/exports/<int:pk>/retry/", exports.ledger_export_retry, name="ledger-export-retry"),
    path("leader/", staff.leader_home, name="leader-home"),
    # Handling units
    path("unit/", unit.unit_inbox, name="unit-inbox"),
    path("unit/assignments/<int:pk>/", unit.AssignmentPage.as_view(), name="unit-assignment"),
    path("files/replies/<int:pk>/", unit.reply_attachment, name="reply-attachment"),
]
