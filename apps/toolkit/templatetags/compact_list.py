"""``{% list_class "…" %}`` and ``{% list_classes_script %}``: compact_list.py in templates."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script

from apps.toolkit.compact_list import list_classes, token_for

register = template.Library()


@register.simple_tag
def list_class(classes: str) -> str:
    return token_for(classes)


@register.simple_tag
def list_classes_script():
    return format_html(
        '{}<script src="{}"></script>',
        json_script(list_classes(), "mw-list-classes"),
        static("toolkit/list-classes.js"),
    )
