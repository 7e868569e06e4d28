"""The panels every installed app declares in its `panels.py` (campussafety/panels.py).

Collected by module convention, like admin.py: the portal imports no domain app
by name, and a new app's panels appear once the app is installed.
"""

from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@cache
def declared_panels():
    """Every app's panels, in the order of INSTALLED_APPS (the section sorts by `order`)."""
    panels = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "panels"):
            panels.extend(getattr(import_module(f"{app_config.name}.panels"), "PANELS", ()))
    return tuple(panels)


def panels_for(role):
    return sorted((p for p in declared_panels() if role in p.roles), key=lambda p: p.order)
