from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackofficeConfig(AppConfig):
    default = True
    name = "backoffice"
    verbose_name = "ModestWear back office"

    def ready(self):
        from django.contrib import admin

        from backoffice import checks  # noqa: F401  (registers the deploy checks)

        admin.site.site_header = admin.site.site_title = "ModestWear back office"
        admin.site.index_title = "Dashboard"


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back office's site (backoffice/sites.py)."""

    default = False  # named in INSTALLED_APPS; "backoffice" itself is BackofficeConfig

    default_site = "backoffice.sites.BackOfficeSite"
