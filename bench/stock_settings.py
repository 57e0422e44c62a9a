"""The same admin configuration rendered by Django's stock admin templates: the baseline of
``python -m bench admin``.

Our ModelAdmins subclass unfold's and use its widgets and filters, so unfold stays importable,
but it is not an installed app: its templates (the look) are gone, and the template names its
Python code asks for are answered with Django's own (bench/stock_templates.py). Our overrides of
``admin/*`` templates are left out too. Everything else — middleware, admin classes, forms,
queries, the dashboard's callback — is the production configuration (bench/admin_settings.py).
"""

from pathlib import Path

import unfold

from bench.admin_settings import *  # noqa: F403
from bench.admin_settings import INSTALLED_APPS, TEMPLATES

INSTALLED_APPS = [
    "bench.stock_admin.StockAdminConfig" if app == "backoffice.apps.BackOfficeAdminConfig" else app
    for app in INSTALLED_APPS
    if not app.startswith("unfold") and app != "apps.dashboard"
] + ["django.forms"]
TEMPLATES = [
    {
        **TEMPLATES[0],
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "bench.stock_templates.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]
# Widgets render through TEMPLATES, so unfold's widget template names reach the loader above.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# The media unfold's widgets and filters declare (Python code, kept) are still served.
STATICFILES_DIRS = [
    str(path) for path in Path(unfold.__file__).parent.glob("**/static") if path.is_dir()
]
