"""Admin pieces of the project itself: locked-out sign-ins (django-axes) for superusers."""

from axes.models import AccessAttempt
from django.contrib import admin
from unfold.admin import ModelAdmin

from apps.access.modeladmin import ScopedAdmin
from apps.access.signin import unlock


@admin.register(AccessAttempt)
class LockoutAdmin(ScopedAdmin, ModelAdmin):
    """Failed sign-ins by username and address. "Unlock" forgets an account's failures from
    every address (the per-address and the per-account lockout); deleting a row unlocks
    that address alone."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = list_display + ["user_agent", "path_info"]
    readonly_fields = fields
    actions = ["unlock_accounts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Unlock these accounts (all addresses)", permissions=["delete"])
    def unlock_accounts(self, request, queryset):
        usernames = sorted(set(queryset.values_list("username", flat=True)))
        unlock(usernames)
        self.message_user(request, f"Unlocked {', '.join(usernames)}.")
