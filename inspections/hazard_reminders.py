"""The hazard ledger's reminders: deadlines, overdue escalation, re-checks, supervision.

Each sweep reads the hazards concerned in one query, the cities' rules in one
more (HazardRules: every threshold is the city's), then the holders of each
role for the schools, districts or cities concerned (one query each): the
number of queries does not grow with the number of schools. Each step is a
`due` of its own, so the reminders app sends it once per recipient, and one
digest per recipient per sweep gathers all a sweep found.
"""

import datetime
from collections import defaultdict

from django.db.models import F, Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import UNRECTIFIED_STATES, HazardLevel, HazardState
from inspections.models import Hazard, HazardRules, SupervisionOrder
from inspections.models_hazards import overdue_condition
from reminders import recipients
from reminders.registry import Due, ReminderKind, register

ONE_DAY = datetime.timedelta(days=1)
FIELDS = (
    "pk",
    "year",
    "number",
    "description",
    "level",
    "deadline",
    "found_at",
    "submitted_at",
    "submitted_by_id",
    "responsible_person_id",
    "school_id",
)


def _rows(queryset):
    """The hazards' fields a reminder needs, with their school's name, district and city."""
    return list(
        queryset.values(
            *FIELDS,
            school_name=F("school__name"),
            district_id=F("school__district_id"),
            city_id=F("school__district__city_id"),
        )
    )


def _params(row, **extra):
    return {
        "hazard_id": row["pk"],
        "school_id": row["school_id"],
        "school": row["school_name"],
        "number": f"{row['year']}-{row['number']:03d}",
        "description": row["description"][:80],
        "deadline": row["deadline"].isoformat() if row["deadline"] else "",
        **extra,
    }


def _due(kind, row, user_id, due, **extra):
    return Due(
        kind.name,
        subject=f"hazard:{row['pk']}",
        due=due,
        user_id=user_id,
        school_id=row["school_id"],
        params=_params(row, **extra),
    )


class _HazardLink(ReminderKind):
    def url(self, params):
        try:
            return reverse("inspections:hazard", args=[params["hazard_id"]])
        except NoReverseMatch:
            # Before the ledger's pages exist: the hazard in the API.
            return reverse("hazard-detail", args=[params["hazard_id"]])


@register
class HazardDeadline(_HazardLink):
    """A rectification's deadline: at half the time, and a day (the city's) before."""

    name = "hazard_deadline"
    label = _("Hazard deadline approaching")
    recipients = _(
        "The person responsible for the rectification (else the school's safety officers), "
        "at half the time and the day before the deadline."
    )
    crontab = {"hour": 7, "minute": 0}

    def stage(self, row, rules, today):
        deadline = row["deadline"]
        if deadline < today:
            return None
        if (deadline - today).days <= rules.warn_days_before:
            return "before"
        found = timezone.localdate(row["found_at"])
        if today >= found + (deadline - found) / 2:
            return "half"
        return None

    def sweep(self, now):
        today = timezone.localdate(now)
        rows = _rows(
            Hazard.objects.filter(state__in=UNRECTIFIED_STATES, deadline__gte=today).order_by()
        )
        rules = HazardRules.for_cities({row["city_id"] for row in rows})
        staged = [
            (row, stage) for row in rows if (stage := self.stage(row, rules[row["city_id"]], today))
        ]
        officers = recipients.safety_officers(
            {row["school_id"] for row, _s in staged if not row["responsible_person_id"]}
        )
        dues = []
        for row, stage in staged:
            users = (
                [row["responsible_person_id"]]
                if row["responsible_person_id"]
                else officers.get(row["school_id"], ())
            )
            # Once per stage and deadline: an extension warns again.
            dues += [
                _due(self, row, user_id, f"{stage}:{row['deadline']}", state=stage)
                for user_id in users
            ]
        return dues

    def body(self, params):
        return (
            _("%(school)s: hazard %(number)s (%(description)s) is to be rectified by %(deadline)s.")
            % params
        )


@register
class HazardOverdue(_HazardLink):
    """Past its deadline: the school, then its principal, the district and the city."""

    name = "hazard_overdue"
    label = _("Hazard overdue")
    recipients = _(
        "Overdue by 1 day: the responsible person and the safety officers; 3 days: the "
        "principal; 7 days (a major hazard: 1): the district's education bureau staff; "
        "30 days: the city's. Each city sets its own days."
    )
    crontab = {"hour": 7, "minute": 30}
    # A hazard overdue longer than its last step plus this is no longer news.
    horizon = 14

    def steps(self, row, rules, today):
        late = (today - row["deadline"]).days
        district = (
            rules.overdue_district_major_days
            if row["level"] == HazardLevel.MAJOR
            else rules.overdue_district_days
        )
        thresholds = {
            "school": rules.overdue_officer_days,
            "principal": rules.overdue_principal_days,
            "district": district,
            "city": rules.overdue_city_days,
        }
        return [step for step, days in thresholds.items() if late >= days]

    def sweep(self, now):
        today = timezone.localdate(now)
        oldest = today - datetime.timedelta(days=366 + self.horizon)
        rows = _rows(
            Hazard.objects.filter(overdue_condition(today), deadline__gte=oldest).order_by()
        )
        rules = HazardRules.for_cities({row["city_id"] for row in rows})
        stepped = []
        for row in rows:
            city_rules = rules[row["city_id"]]
            late = (today - row["deadline"]).days
            if late > city_rules.overdue_city_days + self.horizon:
                continue
            for step in self.steps(row, city_rules, today):
                stepped.append((row, step, late))
        # Whom each step reaches, and the unit (of the hazard's row) they hold their role over.
        unit_of = {
            "school": "school_id",
            "principal": "school_id",
            "district": "district_id",
            "city": "city_id",
        }
        units = defaultdict(set)
        for row, step, _late in stepped:
            units[step].add(row[unit_of[step]])
        holders = {
            "school": recipients.safety_officers(units["school"]),
            "principal": recipients.principals(units["principal"]),
            "district": recipients.district_staff(units["district"]),
            "city": recipients.city_staff(units["city"]),
        }
        dues = []
        for row, step, late in stepped:
            users = list(holders[step].get(row[unit_of[step]], ()))
            if step == "school" and row["responsible_person_id"]:
                users.append(row["responsible_person_id"])
            dues += [
                _due(self, row, user_id, f"{step}:{row['deadline']}", state=step, days=late)
                for user_id in dict.fromkeys(users)
            ]
        return dues

    def body(self, params):
        return (
            _(
                "%(school)s: hazard %(number)s (%(description)s) is %(days)s days past its "
                "deadline of %(deadline)s."
            )
            % params
        )


@register
class HazardAwaitingVerification(_HazardLink):
    """A rectification submitted: whoever may re-check it, at once and again days later."""

    name = "hazard_verification"
    label = _("Rectification awaiting re-check")
    recipients = _(
        "The school's principal and safety officers other than whoever did the work, as "
        "soon as it is submitted and again 3 days later (the city's days)."
    )
    every_minutes = 30

    def sweep(self, now):
        rows = _rows(Hazard.objects.filter(state=HazardState.SUBMITTED).order_by())
        rules = HazardRules.for_cities({row["city_id"] for row in rows})
        leaders = recipients.school_leaders({row["school_id"] for row in rows})
        dues = []
        for row in rows:
            again = row["submitted_at"] + datetime.timedelta(
                days=rules[row["city_id"]].verify_again_days
            )
            stages = ["submitted", "again"] if now >= again else ["submitted"]
            doers = {row["submitted_by_id"], row["responsible_person_id"]}
            for user_id in leaders.get(row["school_id"], ()):
                if user_id in doers:
                    continue
                dues += [
                    _due(
                        self,
                        row,
                        user_id,
                        # The submission's moment to the second, in UTC: "submitted:"
                        # and an ISO time with microseconds and offset outgrew
                        # the 40 characters of a due key.
                        f"{stage}:{row['submitted_at'].astimezone(datetime.UTC):%Y%m%dT%H%M%S}",
                        state=stage,
                    )
                    for stage in stages
                ]
        return dues

    def body(self, params):
        return _("%(school)s: the rectification of hazard %(number)s awaits your re-check.") % (
            params
        )


def _active_orders():
    """Open supervision orders with their hazard's school and the last report's time."""
    return list(
        SupervisionOrder.objects.filter(lifted_at__isnull=True)
        .annotate(last_report=Max("reports__reported_at"))
        .values(
            "pk",
            "level",
            "issued_at",
            "report_every_days",
            "last_report",
            "hazard_id",
            "hazard__year",
            "hazard__number",
            "hazard__description",
            "hazard__deadline",
            "hazard__school_id",
            "hazard__school__name",
            "hazard__school__district_id",
            "hazard__school__district__city_id",
        )
        .order_by()
    )


def _order_row(order):
    return {
        "pk": order["hazard_id"],
        "year": order["hazard__year"],
        "number": order["hazard__number"],
        "description": order["hazard__description"],
        "deadline": order["hazard__deadline"],
        "school_id": order["hazard__school_id"],
        "school_name": order["hazard__school__name"],
    }


@register
class SupervisionReportDue(_HazardLink):
    """A supervised hazard's progress report is due (the order's cadence)."""

    name = "hazard_progress_due"
    label = _("Progress report due")
    recipients = _(
        "The school's principal and safety officers, on the supervision order's cadence."
    )
    crontab = {"hour": 8, "minute": 0}

    def sweep(self, now):
        today = timezone.localdate(now)
        due_orders = []
        for order in _active_orders():
            since = timezone.localdate(order["last_report"] or order["issued_at"])
            next_due = since + datetime.timedelta(days=order["report_every_days"])
            if next_due <= today:
                due_orders.append((order, next_due))
        leaders = recipients.school_leaders({o["hazard__school_id"] for o, _d in due_orders})
        return [
            _due(self, _order_row(order), user_id, f"report:{next_due}", report_due=str(next_due))
            for order, next_due in due_orders
            for user_id in leaders.get(order["hazard__school_id"], ())
        ]

    def body(self, params):
        return _("%(school)s: report the progress on supervised hazard %(number)s.") % params


@register
class SupervisedWeekly(_HazardLink):
    """Each Monday, the supervising bureau's list of its supervised hazards."""

    name = "hazard_supervised_weekly"
    label = _("Supervised hazards this week")
    recipients = _(
        "The supervising education bureau's staff (the district's or the city's), each Monday."
    )
    crontab = {"hour": 8, "minute": 30, "day_of_week": "1"}

    def sweep(self, now):
        week = "{}-W{:02d}".format(*timezone.localdate(now).isocalendar()[:2])
        orders = _active_orders()
        district = recipients.district_staff(
            {o["hazard__school__district_id"] for o in orders if o["level"] == "district"}
        )
        city = recipients.city_staff(
            {o["hazard__school__district__city_id"] for o in orders if o["level"] == "city"}
        )
        dues = []
        for order in orders:
            if order["level"] == "district":
                users = district.get(order["hazard__school__district_id"], ())
            else:
                users = city.get(order["hazard__school__district__city_id"], ())
            last = order["last_report"]
            dues += [
                _due(
                    self,
                    _order_row(order),
                    user_id,
                    week,
                    last_report=timezone.localdate(last).isoformat() if last else "—",
                )
                for user_id in users
            ]
        return dues

    def body(self, params):
        return (
            _(
                "%(school)s: supervised hazard %(number)s, deadline %(deadline)s, "
                "last report %(last_report)s."
            )
            % params
        )
