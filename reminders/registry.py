"""Reminder kinds: each app declares its own in its reminders.py.

A kind is a small class: a name, a default schedule, a `sweep(now)` that
returns what is due (set-based: a few queries for a whole city), and how to
word a notification. Registering one is all it takes to add a reminder: the
schedule row, the deliveries and the retries come from this app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

KINDS: dict[str, ReminderKind] = {}


@dataclass
class Due:
    """One notification a sweep found due, for one user or one post member."""

    kind: str
    subject: str
    due: str
    params: dict = field(default_factory=dict)
    user_id: int | None = None
    member_id: int | None = None
    school_id: int | None = None

    @property
    def key(self):
        return (self.user_id, self.member_id, self.kind, self.subject, self.due)


class ReminderKind:
    name: str = ""
    label = ""
    # Beat's default: a crontab ({"hour": 6, "minute": 30}) or minutes between runs.
    crontab: dict | None = None
    every_minutes: int | None = None

    def sweep(self, now: datetime.datetime) -> list[Due]:
        raise NotImplementedError

    def title(self, params: dict) -> str:
        return str(self.label)

    def body(self, params: dict) -> str:
        return ""

    def url(self, params: dict) -> str:
        return params.get("url", "")


def register(kind_class):
    kind = kind_class()
    if not kind.name:
        raise ValueError(f"{kind_class.__name__} has no name")
    if kind.name in KINDS:
        raise ValueError(f"Reminder kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind_class


class UnknownKind(ReminderKind):
    """Stands in for a kind whose code was removed, so old notifications still display."""

    label = _("Notification")


def get_kind(name: str) -> ReminderKind:
    return KINDS.get(name) or UnknownKind()
