"""Deployment checks (``manage.py check --deploy``): what a Render instance must not keep
locally once there can be more than one."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def stateless_instances(app_configs, **kwargs):
    problems = []
    if not settings.DEBUG and not settings.CLOUDINARY_URL:
        problems.append(
            Warning(
                "CLOUDINARY_URL is not set: uploads would go to this instance's disk, which "
                "other instances cannot see and a redeploy erases.",
                id="backoffice.W001",
            )
        )
    if not settings.DEBUG and not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set: each instance would keep its own feed cache and would "
                "not see catalog changes made through another instance.",
                id="backoffice.W002",
            )
        )
    if not settings.DEBUG and not settings.EMAIL_URL:
        problems.append(
            Warning(
                "EMAIL_URL is not set: staff cannot reset a forgotten password by e-mail.",
                id="backoffice.W003",
            )
        )
    return problems
