from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: what joins the apps for people (home pages, the navigation, the demo)."""

    name = "portal"
