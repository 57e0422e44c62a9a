"""The admin site of bench/stock_settings.py: Django's own, whose home page computes what our
dashboard shows (unfold's DASHBOARD_CALLBACK, our apps/dashboard) before Django's stock
index template draws its list of models: the same work behind both pages."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class StockSite(AdminSite):
    def index(self, request, extra_context=None):
        from apps.dashboard.dashboard import dashboard_callback

        return super().index(request, dashboard_callback(request, dict(extra_context or {})))


class StockAdminConfig(AdminConfig):
    default_site = "bench.stock_admin.StockSite"
