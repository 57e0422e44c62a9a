from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "ModestWear back office"

    def ready(self):
        from django.contrib import admin

        admin.site.site_header = admin.site.site_title = "ModestWear back office"
        admin.site.index_title = "Dashboard"
