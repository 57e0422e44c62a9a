"""``{% submission_key %}``: the one-time key of the form being drawn, as a hidden field;
``{% submission_token %}``: the key alone, for a script (apps/toolkit/submissions/)."""

from django import template
from django.utils.html import format_html

from apps.toolkit.submissions import FIELD, page_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_key(context):
    token = submission_token(context)
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token) if token else ""


@register.simple_tag(takes_context=True)
def submission_token(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return page_token(request)
