from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The admin's home page for each role and the sidebar (no models)."""

    name = "apps.dashboard"
    label = "dashboard"
