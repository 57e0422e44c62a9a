"""Admin pieces of the project itself: locked-out sign-ins (django-axes) for superusers."""

from axes.models import AccessAttempt
from django.contrib import admin
from unfold.admin import ModelAdmin

from apps.access.modeladmin import ScopedAdmin


@admin.register(AccessAttempt)
class LockoutAdmin(ScopedAdmin, ModelAdmin):
    """Failed sign-ins by username and address; deleting a row unlocks it."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = list_display + ["user_agent", "path_info"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
