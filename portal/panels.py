"""The panels every installed app declares in its `panels.py` (campussafety/panels.py).

Collected by module convention, like admin.py: the portal imports no domain app
by name, and a new app's panels appear once the app is installed.
"""

from campussafety.panels import declared


def declared_panels():
    """Every app's panels, in the order of INSTALLED_APPS (the section sorts by `order`)."""
    return declared("PANELS")


def panels_for(role):
    return sorted((p for p in declared_panels() if role in p.roles), key=lambda p: p.order)
