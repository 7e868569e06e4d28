"""The reminders of coordination, declared for the reminders app.

- An open action item three days before its due date, and once it is overdue:
  its owner (the person named, else the owning school's principal and safety
  officers, or the owning district's bureau staff). Each stage is a `due` of its
  own, so each is sent once per recipient; a changed due date reminds again.
- A factor still watched past its review date: the police liaisons of the
  school's station, once per review date.
- A period of the city's or a district's meeting cadence that passed without its
  meetings (coordination/cadence.py): the unit's bureau staff, once per period.

Each sweep reads the items or factors concerned in one query and the holders of
each role in one query each: the number of queries does not grow with the schools.
"""

import datetime

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination import cadence
from coordination.choices import FactorStatus, Level
from coordination.models import ActionItem, Factor
from reminders import recipients
from reminders.registry import Due, ReminderKind, register
from schools.choices import WindowStatus

# How long before its due date an open item is a reminder.
WARN_DAYS = 3
# An item overdue longer than this is no longer news for a first reminder.
HORIZON_DAYS = 60


def owners(rows) -> dict:
    """{item id: [user ids]}: the named owner, else the owning unit's holders."""
    schools = recipients.school_leaders(
        {r["owner_school_id"] for r in rows if r["owner_school_id"] and not r["owner_user_id"]}
    )
    districts = recipients.district_staff(
        {r["owner_district_id"] for r in rows if r["owner_district_id"] and not r["owner_user_id"]}
    )
    found = {}
    for row in rows:
        if row["owner_user_id"]:
            found[row["pk"]] = [row["owner_user_id"]]
        elif row["owner_school_id"]:
            found[row["pk"]] = schools.get(row["owner_school_id"], [])
        else:
            found[row["pk"]] = districts.get(row["owner_district_id"], [])
    return found


@register
class ActionItemDue(ReminderKind):
    """An open action item: three days before its due date, and when it is overdue."""

    name = "coordination_action_item"
    label = _("Meeting action item")
    recipients = _(
        "The action item's owner (the person named, else the owning school's principal and "
        "safety officers or the owning district's bureau staff): 3 days before it is due, "
        "and once it is overdue."
    )
    crontab = {"hour": 7, "minute": 15}

    def stage(self, due_on, today):
        if due_on < today:
            return "overdue"
        if (due_on - today).days <= WARN_DAYS:
            return "soon"
        return None

    def sweep(self, now):
        today = timezone.localdate(now)
        rows = list(
            ActionItem.objects.open()
            .filter(
                due_on__lte=today + datetime.timedelta(days=WARN_DAYS),
                due_on__gte=today - datetime.timedelta(days=HORIZON_DAYS),
            )
            .order_by()
            .values(
                "pk",
                "title",
                "due_on",
                "owner_user_id",
                "owner_school_id",
                "owner_district_id",
                meeting_title=F("meeting__title"),
            )
        )
        users = owners(rows)
        dues = []
        for row in rows:
            stage = self.stage(row["due_on"], today)
            params = {
                "item_id": row["pk"],
                "title": row["title"][:80],
                "meeting": row["meeting_title"][:80],
                "due_on": row["due_on"].isoformat(),
                "state": stage,
            }
            dues += [
                Due(
                    self.name,
                    subject=f"actionitem:{row['pk']}",
                    due=f"{stage}:{row['due_on']}",
                    user_id=user_id,
                    school_id=row["owner_school_id"],
                    params=params,
                )
                for user_id in users[row["pk"]]
            ]
        return dues

    def body(self, params):
        if params.get("state") == "overdue":
            return _("Overdue since %(due_on)s: %(title)s (meeting: %(meeting)s).") % params
        return _("Due on %(due_on)s: %(title)s (meeting: %(meeting)s).") % params

    def url(self, params):
        return reverse("coordination:item", args=[params["item_id"]])


@register
class FactorReview(ReminderKind):
    """A watched instability factor past its review date."""

    name = "coordination_factor_review"
    label = _("Instability factor to review")
    recipients = _(
        "The police liaisons of the school's station, once a watched factor's review date has come."
    )
    crontab = {"hour": 7, "minute": 45}

    def sweep(self, now):
        today = timezone.localdate(now)
        rows = list(
            Factor.objects.filter(status=FactorStatus.WATCHING, review_on__lte=today)
            .order_by()
            .values(
                "pk",
                "review_on",
                "school_id",
                school_name=F("school__name"),
                station_id=F("school__police_station_id"),
            )
        )
        police = recipients.police_liaisons({row["station_id"] for row in rows})
        # The factor's words stay in the register: the reminder names only the school and
        # the date, as a notification may travel by SMS or a group robot.
        return [
            Due(
                self.name,
                subject=f"factor:{row['pk']}",
                due=row["review_on"].isoformat(),
                user_id=user_id,
                school_id=row["school_id"],
                params={
                    "factor_id": row["pk"],
                    "school": row["school_name"],
                    "review_on": row["review_on"].isoformat(),
                },
            )
            for row in rows
            for user_id in police.get(row["station_id"], ())
        ]

    def body(self, params):
        return _("%(school)s: an instability factor was due for review on %(review_on)s.") % params

    def url(self, params):
        return reverse("coordination:factor", args=[params["factor_id"]])


@register
class MeetingCadenceMissed(ReminderKind):
    """A period of the city's or a district's meeting cadence that ended without its meetings."""

    name = "coordination_meeting_missed"
    label = _("Security meeting missed")
    recipients = _(
        "The bureau staff of the unit whose meeting is missed (the district's, or the city's "
        "for the city's own meeting), once per period, when its grace period is over."
    )
    crontab = {"hour": 7, "minute": 20}

    def sweep(self, now):
        """The units (one query), the cadences (one), the meetings held (one GROUP BY) and
        the staff of the districts and of the cities (one each, when any missed): at most five."""
        today = timezone.localdate(now)
        units = cadence.all_units()
        cadences = cadence.cadences_for({unit.city_id for unit in units})
        grace = max((row.grace for row in cadences.values()), default=datetime.timedelta(0))
        # The periods whose grace period ended within the horizon, and only those.
        start = today - datetime.timedelta(days=HORIZON_DAYS) - grace - datetime.timedelta(days=1)
        missed = [
            (plan, window)
            for plan in cadence.unit_cadences(units, start, today, now, cadences=cadences)
            for window in plan.windows
            if window.status == WindowStatus.MISSED
            and window.due > now - datetime.timedelta(days=HORIZON_DAYS)
        ]
        staff = {
            Level.DISTRICT: recipients.district_staff(
                {plan.unit.pk for plan, _w in missed if plan.unit.level == Level.DISTRICT}
            ),
            Level.CITY: recipients.city_staff(
                {plan.unit.pk for plan, _w in missed if plan.unit.level == Level.CITY}
            ),
        }
        return [
            Due(
                self.name,
                subject=f"meetings:{plan.unit.level}:{plan.unit.pk}",
                due=window.first.isoformat(),
                user_id=user_id,
                params={
                    "level": plan.unit.level,
                    "unit_id": plan.unit.pk,
                    "unit": plan.unit.name,
                    "first": window.first.isoformat(),
                    "last": window.last.isoformat(),
                    "held": window.held,
                    "required": window.required,
                },
            )
            for plan, window in missed
            for user_id in staff[plan.unit.level].get(plan.unit.pk, ())
        ]

    def body(self, params):
        return (
            _(
                "%(unit)s: %(held)s of %(required)s security meetings held from %(first)s "
                "to %(last)s."
            )
            % params
        )

    def url(self, params):
        return f"{reverse('coordination:cadence')}?year={params['first'][:4]}"
