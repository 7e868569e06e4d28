"""Reminder kinds: each app declares its own in its reminders.py.

A kind is a small class: a name, a default schedule, who receives it (a
sentence for the schedule page), a `sweep(now)` that returns what is due
(set-based: a few queries for a whole city), and how to word one item.
Registering one is all it takes to add a reminder: the schedule row, the
grouping into one digest per recipient per sweep window, the deliveries and
the retries come from this app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from schools.models import School

KINDS: dict[str, ReminderKind] = {}


@dataclass
class Due:
    """One item a sweep found due, for one user or one post member.

    (recipient, kind, subject, due) is sent once: a later sweep finding it
    again leaves it out of its digest.
    """

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


# The sweep window of a kind run on a crontab: duplicated ticks this close share a digest.
DEFAULT_WINDOW_MINUTES = 10


class ReminderKind:
    name: str = ""
    label = ""
    # Who receives it, as one sentence for the schedule page.
    recipients = ""
    # Beat's default: a crontab ({"hour": 6, "minute": 30}) or minutes between runs.
    crontab: dict | None = None
    every_minutes: int | None = None

    # A kind whose sweep takes `districts` (a list of district ids: what is due there)
    # is fanned out by beat's tick into one Celery task per district (reminders.tasks).
    fans_out = False

    def sweep(self, now: datetime.datetime) -> list[Due]:
        raise NotImplementedError

    def sweep_districts(self, now: datetime.datetime, districts: list[int]) -> list[Due]:
        """What is due in `districts` alone; a kind that fans out says so (fans_out)."""
        raise NotImplementedError

    def window(self, now: datetime.datetime) -> str:
        """The sweep window `now` falls in: every tick in it adds to the same digests.

        A window is the kind's interval (or 10 minutes for a daily kind), so
        beat's ticks each open their own and a duplicated or retried one
        within it does not.
        """
        local = timezone.localtime(now)
        minutes = self.every_minutes or DEFAULT_WINDOW_MINUTES
        of_day = local.hour * 60 + local.minute
        start = of_day - of_day % minutes
        return f"{local.date().isoformat()}T{start // 60:02d}:{start % 60:02d}"

    def title(self, params: dict) -> str:
        return str(self.label)

    def body(self, params: dict) -> str:
        return ""

    def item_text(self, params: dict) -> str:
        """One item's line in a digest."""
        return self.body(params) or self.title(params)

    def digest_title(self, count: int) -> str:
        return ngettext("%(label)s: %(count)s item", "%(label)s: %(count)s items", count) % {
            "label": self.label,
            "count": count,
        }

    # The params a kind's url() reads, when it reads only those: record() then works a URL
    # out once for each of their values, not once an item (reverse() costs tens of
    # microseconds, and a city's morning roster is twenty-six thousand items). None:
    # url() may read any param, and runs for every item.
    url_params: tuple[str, ...] | None = None

    def url(self, params: dict) -> str:
        return params.get("url", "")

    def urls(self, dues) -> list[str]:
        """url() of each due, once for each value of url_params when the kind names them."""
        if self.url_params is None:
            return [self.url(due.params) for due in dues]
        found = {}
        result = []
        for due in dues:
            key = tuple(due.params.get(name) for name in self.url_params)
            if key not in found:
                found[key] = self.url(due.params)
            result.append(found[key])
        return result


class DistrictSweep(ReminderKind):
    """A kind swept district by district: `sweep_districts(now, None)` sweeps them all."""

    fans_out = True

    def sweep(self, now):
        return self.sweep_districts(now, None)


def schools_in(districts: list[int] | None):
    """The schools a sweep's part answers for: every school when `districts` is None."""
    schools = School.objects.all()
    return schools if districts is None else schools.filter(district_id__in=districts)


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
