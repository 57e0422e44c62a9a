from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """What every app of the back office uses: guarded, changed-only saves (guarded.py), the
    import base (importing.py), admin helpers and action forms (admin_helpers.py), typed
    values checked against what the page showed (forms.py), numbers from people (numbers.py)."""

    name = "apps.toolkit"
    label = "toolkit"

    def ready(self):
        from apps.toolkit import unfold_overrides

        unfold_overrides.apply()
