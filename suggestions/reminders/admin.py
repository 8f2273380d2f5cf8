"""Reminders in the admin, read-only. Superusers see every reminder; anyone else with admin
access sees what `failed_reminders_for` gives them (the failed reminders of the congresses
they are staff of, the rows of /staff/reminders/) and the inbox messages of those reminders."""

from django.contrib import admin

from .models import InboxMessage, Reminder
from .selectors import failed_reminders_for


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "step", "due_on", "recipient_key", "status", "attempts")
    list_filter = ("status", "kind", "step")
    search_fields = ("subject", "recipient_key", "email")
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return super().get_queryset(request)
        return failed_reminders_for(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The row is the reminder's exactly-once key: without it the next sweep sends again.
        return False


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "user", "created_at", "read_at")
    list_filter = ("read_at",)
    readonly_fields = [f.name for f in InboxMessage._meta.fields]

    def get_queryset(self, request):
        messages = super().get_queryset(request)
        if request.user.is_superuser:
            return messages
        return messages.filter(reminder__in=failed_reminders_for(request.user))

    def has_add_permission(self, request) -> bool:
        return False
