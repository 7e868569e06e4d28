from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: pages composed of what the domain apps declare."""

    name = "portal"
