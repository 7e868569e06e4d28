"""Panels: what an app shows on a role's home page, declared by the app itself.

An app lists its panels in `PANELS` in its own `panels.py`. The portal (the top
layer) collects them from every installed app, so it names no domain app and a
new app joins the home page by declaring panels. Each role the user holds gets
a section; the section shows, lowest `order` first, the panels declared for
that role. A panel's `context(section)` gets the section being built (`user`,
`role`, `today`) and returns what its template reads from `section`; the keys
of all the panels of a section share one dict, so an app prefixes its own.

Object panels are the same idea for one object's page: an app lists in
`OBJECT_PANELS` cards it adds to another app's page (the drills app adds a post
member's training to the member's page), and the page asks `object_panels()`
for them, naming no app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class Panel:
    roles: frozenset[str]
    template: str
    context: Callable[[Any], dict] | None = None
    # Position within the section: lower first.
    order: int = 100


@dataclass(frozen=True)
class ObjectPanel:
    """A card on the page of one model's objects, declared by another app.

    `model` is the page's model label ("posts.member"); `context(user, obj)`
    returns what the template reads as `panel`, or None to show nothing (the
    user sees none of the app's records, say).
    """

    model: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


@cache
def declared(name: str) -> tuple:
    """Every installed app's list `name` from its panels.py, in the order of INSTALLED_APPS.

    Found by module convention, like admin.py: no app is imported by name.
    """
    found = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "panels"):
            found.extend(getattr(import_module(f"{app_config.name}.panels"), name, ()))
    return tuple(found)


def object_panels(user, obj) -> list[dict]:
    """[{"template", "panel"}] of the cards other apps add to `obj`'s page for `user`."""
    label = obj._meta.label_lower
    shown = []
    for panel in sorted(declared("OBJECT_PANELS"), key=lambda panel: panel.order):
        if panel.model == label:
            context = panel.context(user, obj)
            if context is not None:
                shown.append({"template": panel.template, "panel": context})
    return shown


@dataclass(frozen=True)
class TodayItem:
    """A list on the district staff's live "today" board (dashboards), declared by the app
    holding the records in `TODAY` in its panels.py, so the board names no app.

    `rows(user, schools, now, limit)` gets the schools of the user's scope (a
    queryset, possibly narrowed to a district) and returns (how many in all,
    the first `limit` as [{"school", "what", "when", "url"}], `when` a time
    of day as text or None), in a constant
    number of queries whatever the number of schools.
    """

    key: str
    title: Any
    rows: Callable[[Any, Any, Any, int], tuple[int, list[dict]]]
    order: int = 100


def today_items() -> list[TodayItem]:
    return sorted(declared("TODAY"), key=lambda item: (item.order, item.key))


@dataclass(frozen=True)
class FileSection:
    """A section of a school's file (一校一档, schools/school_file.py) as a table, so the
    page, its print and its PDF lay every app's section out the same way."""

    title: Any
    header: list
    rows: list
    empty: Any = ""
    url: str = ""

    def as_context(self) -> dict:
        return {
            "title": self.title,
            "header": [str(cell) for cell in self.header],
            "rows": self.rows,
            "empty": self.empty,
            "url": self.url,
        }


# The object panels' template every file section is drawn with.
FILE_SECTION_TEMPLATE = "schools/_file_section.html"
# The model label the school file's sections are declared for.
SCHOOL_FILE = "schools.school"
