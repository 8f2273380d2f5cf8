"""Reminders and inboxes are the system's bookkeeping, across congresses and recipients:
superusers only."""

from django.contrib import admin

from suggestions.admin.perimeter import SuperuserOnlyMixin

from .models import InboxMessage, Reminder


@admin.register(Reminder)
class ReminderAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("subject", "kind", "step", "due_on", "recipient_key", "status", "attempts")
    list_filter = ("status", "kind", "step")
    search_fields = ("subject", "recipient_key", "email")
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InboxMessage)
class InboxMessageAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("subject", "user", "created_at", "read_at")
    list_filter = ("read_at",)
    readonly_fields = [f.name for f in InboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
