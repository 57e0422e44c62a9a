from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "ModestWear back office"

    def ready(self):
        from django.contrib import admin

        from backoffice import checks  # noqa: F401  (registers the deploy checks)

        admin.site.site_header = admin.site.site_title = "ModestWear back office"
        admin.site.index_title = "Dashboard"
