"""The steps of `manage.py seed_demo`, declared by each app that has demo data.

An app declares its steps in a `demo.py` module (found like admin.py, only when
the command runs): each `Step` has a name, a function that takes the command's
context and returns a line for the summary, a function that deletes what the
step made, and the names of the steps it builds on. `ordered_steps()` puts every
step after those it names; --reset runs the resets in the reverse order, so an
app's rows go before the rows they refer to. No app imports another's seeding
to join the list, so there is no import circle between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Step:
    name: str
    seed: Callable[[Any], str]
    reset: Callable[[], None]
    # The steps whose rows this one needs; it runs after them and resets before them.
    after: tuple[str, ...] = ()


_steps: dict[str, Step] = {}


def register(*steps: Step) -> None:
    for step in steps:
        _steps[step.name] = step


def ordered_steps() -> list[Step]:
    """Every declared step after the steps it builds on; otherwise in the order of
    INSTALLED_APPS and, within an app, of declaration."""
    autodiscover_modules("demo")
    for step in _steps.values():
        unknown = set(step.after) - set(_steps)
        if unknown:
            raise ImproperlyConfigured(
                f"Demo step {step.name!r} builds on unknown steps: {', '.join(sorted(unknown))}."
            )
    ordered: list[Step] = []
    placed: set[str] = set()
    pending = list(_steps.values())
    while pending:
        ready = next((step for step in pending if placed.issuperset(step.after)), None)
        if ready is None:
            names = ", ".join(step.name for step in pending)
            raise ImproperlyConfigured(f"Demo steps build on each other in a circle: {names}.")
        ordered.append(ready)
        placed.add(ready.name)
        pending.remove(ready)
    return ordered
