"""The template loader of bench/stock_settings.py: Django's stock admin templates, and Django's
own widget templates where unfold's Python code names one of unfold's."""

from pathlib import Path

import django
from django.template import Origin, TemplateDoesNotExist
from django.template.loaders.base import Loader as BaseLoader

DJANGO = Path(django.__file__).parent
ADMIN = DJANGO / "contrib" / "admin" / "templates"
FORMS = DJANGO / "forms" / "templates"
# Django's markup for what unfold's Python code renders with a template of its own.
STOCK = Path(__file__).parent / "stock"

# unfold's widget templates (unfold/widgets.py) and what Django renders the same widget with.
WIDGETS = {
    "unfold/widgets/clearable_file_input.html": "django/forms/widgets/clearable_file_input.html",
    "unfold/widgets/clearable_file_input_small.html": (
        "django/forms/widgets/clearable_file_input.html"
    ),
    "unfold/widgets/date.html": "django/forms/widgets/date.html",
    "unfold/widgets/foreign_key_raw_id.html": "admin/widgets/foreign_key_raw_id.html",
    "unfold/widgets/password_toggle.html": "django/forms/widgets/password.html",
    "unfold/widgets/radio.html": "django/forms/widgets/radio.html",
    "unfold/widgets/radio_option.html": "django/forms/widgets/radio_option.html",
    "unfold/widgets/range.html": "django/forms/widgets/input.html",
    "unfold/widgets/related_widget_wrapper.html": "admin/widgets/related_widget_wrapper.html",
    "unfold/widgets/select.html": "django/forms/widgets/select.html",
    "unfold/widgets/select_option_autocomplete.html": "django/forms/widgets/select_option.html",
    "unfold/widgets/select_option_modelchoicefield_autocomplete.html": (
        "django/forms/widgets/select_option.html"
    ),
    "unfold/widgets/split_datetime.html": "admin/widgets/split_datetime.html",
    "unfold/widgets/split_datetime_vertical.html": "admin/widgets/split_datetime.html",
    "unfold/widgets/split_money.html": "django/forms/widgets/multiwidget.html",
    "unfold/widgets/text.html": "django/forms/widgets/text.html",
    "unfold/widgets/textarea.html": "django/forms/widgets/textarea.html",
    "unfold/widgets/time.html": "django/forms/widgets/time.html",
    "unfold/widgets/url.html": "django/forms/widgets/url.html",
}
FILTERS = dict.fromkeys(
    (
        "unfold/filters/filters_date_range.html",
        "unfold/filters/filters_datetime_range.html",
        "unfold/filters/filters_field.html",
        "unfold/filters/filters_numeric_range.html",
        "unfold/filters/filters_numeric_single.html",
        "unfold/filters/filters_numeric_slider.html",
    ),
    "unfold/filters/field.html",
)


class Loader(BaseLoader):
    def get_template_sources(self, template_name):
        name = WIDGETS.get(template_name) or FILTERS.get(template_name, template_name)
        if name.startswith("unfold/"):
            yield Origin(name=str(STOCK / name), template_name=template_name, loader=self)
        elif name.startswith("admin/"):
            yield Origin(name=str(ADMIN / name), template_name=template_name, loader=self)
        elif name.startswith("django/forms/"):
            yield Origin(name=str(FORMS / name), template_name=template_name, loader=self)

    def get_contents(self, origin):
        try:
            return Path(origin.name).read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise TemplateDoesNotExist(origin) from error
