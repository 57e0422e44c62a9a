from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """What every app of the back office uses: guarded, changed-only saves."""

    name = "apps.toolkit"
    label = "toolkit"
