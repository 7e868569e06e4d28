"""Slots of the duty log page that other apps fill: the kit confirmed at a shift handover.

The posts app renders the duty log; the equipment app knows what kit the
gate's places must hold. Domain apps never import each other, so posts asks
this registry for the slots of a log, passing what a slot may need to know
(`Handover`), and each app declares its slots in `DUTYLOG_SLOTS` of its own
`handover.py`. A slot's `context(handover)` returns what its template reads
(under `slot` in the template), or None to stay hidden.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class Handover:
    """The duty log a slot is shown on, told without naming the posts app's models."""

    user: Any
    school_id: int
    gate_id: int | None
    date: datetime.date
    # "posts.dutylog:42": stored with what the slot records, for the link back.
    ref: str
    # The log page's address, where a slot's form returns.
    url: str


@dataclass(frozen=True)
class Slot:
    template: str
    context: Callable[[Handover], dict | None]
    order: int = 100


@cache
def declared_slots() -> tuple[Slot, ...]:
    """Every installed app's duty log slots, lowest `order` first."""
    slots = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "handover"):
            slots.extend(getattr(import_module(f"{app_config.name}.handover"), "DUTYLOG_SLOTS", ()))
    return tuple(sorted(slots, key=lambda slot: slot.order))


def slots_for(handover: Handover) -> list[tuple[str, dict]]:
    """(template, context) of each slot that has something to show for this duty log."""
    shown = []
    for slot in declared_slots():
        context = slot.context(handover)
        if context is not None:
            shown.append((slot.template, context))
    return shown
