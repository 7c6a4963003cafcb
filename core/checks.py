"""Deployment checks of our own settings, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def webhook_secret_is_set(app_configs, **kwargs) -> list[Error]:
    """The development webhook secret is in the repository: anyone could sign order events."""
    if settings.ORDER_WEBHOOK_SECRET in ("", settings.DEV_WEBHOOK_SECRET):
        return [
            Error(
                "ORDER_WEBHOOK_SECRET is the development value.",
                hint="Set ORDER_WEBHOOK_SECRET to the storefront's signing secret.",
                id="market.E001",
            )
        ]
    return []
