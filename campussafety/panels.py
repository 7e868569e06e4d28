"""Panels: what an app shows on a role's home page, declared by the app itself.

An app lists its panels in `PANELS` in its own `panels.py`. The portal (the top
layer) collects them from every installed app, so it names no domain app and a
new app joins the home page by declaring panels. Each role the user holds gets
a section; the section shows, lowest `order` first, the panels declared for
that role. A panel's `context(section)` gets the section being built (`user`,
`role`, `today`) and returns what its template reads from `section`; the keys
of all the panels of a section share one dict, so an app prefixes its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    roles: frozenset[str]
    template: str
    context: Callable[[Any], dict] | None = None
    # Position within the section: lower first.
    order: int = 100
