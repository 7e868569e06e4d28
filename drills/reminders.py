"""The reminders of drills, declared for the reminders app.

Requirement periods come from the obligation mechanism for every school (or
one district's, when beat fans the sweep out) at once (schools/obligations.py:
a handful of queries); the drills, plans and recipients of the schools
concerned are one query each. No sweep loops over schools with queries.

- a period starts: the principal and safety officers (drill_period_start);
- 10 days before a period ends with nothing planned that would satisfy it
  (drill_nothing_planned);
- the day before a planned drill (drill_tomorrow);
- a period ended unsatisfied: the principal (drill_overdue), and the
  district's monthly list of last month's (drill_overdue_district);
- a held drill not evaluated after 3 days, again at 7: the principal
  (drill_not_evaluated);
- an emergency plan past its review date, or a drill's request for a revision
  not yet answered by a new version: the principal and safety officers,
  weekly until a version is uploaded (emergency_plan_review);
- 2 days before a planned alarm drill whose police pre-notification is not
  acknowledged: the principal, safety officers and the liaisons of the school's
  police station; not sent at all: the principal and safety officers
  (drill_prenotice).
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from drills import plans
from drills.choices import ALARM_TYPES, TRAINING_RULE_CODES, DrillStatus, PlanType
from drills.models import Drill, DrillRequirement, EmergencyPlan
from reminders import recipients
from reminders.registry import DistrictSweep, Due, ReminderKind, register, schools_in
from schools.choices import WindowStatus
from schools.models import School
from schools.obligations import due_windows

ONE_DAY = datetime.timedelta(days=1)
TRAINING_CODES = set(TRAINING_RULE_CODES.values())


def _last_day(window) -> datetime.date:
    """The window's last day, its grace included."""
    return timezone.localdate(window.due - datetime.timedelta(microseconds=1))


def _requirement_windows(now, start, end, districts):
    """The drill requirements' windows of the districts' schools (None: of every school)
    overlapping [start, end] (no training)."""
    return [
        w
        for w in due_windows(schools_in(districts), start, end, domain="drills", now=now)
        if w.rule.code not in TRAINING_CODES
    ]


def _schools(school_ids):
    """{school id: (name, district id)} in one query."""
    return {
        pk: (name, district_id)
        for pk, name, district_id in School.objects.filter(pk__in=set(school_ids)).values_list(
            "pk", "name", "district_id"
        )
    }


def _window_params(window, schools, **extra):
    return {
        "school_id": window.school_id,
        "school": schools[window.school_id][0],
        "rule": window.rule.name,
        "first": window.date.isoformat(),
        "last": _last_day(window).isoformat(),
        **extra,
    }


def _dues(kind, items, users_of):
    """One Due per (subject, due, params) item and recipient: `users_of(school id)`."""
    return [
        Due(
            kind.name,
            subject=subject,
            due=due,
            user_id=user_id,
            school_id=params.get("school_id"),
            params=params,
        )
        for subject, due, params in items
        for user_id in users_of(params["school_id"])
    ]


def _subject(window):
    return f"window:{window.rule_id}:{window.school_id}:{window.start.isoformat()}"


class _RecordsLink(ReminderKind):
    """Links to the school's drill records of the term the reminder is about."""

    def url(self, params):
        if "school_id" not in params:
            return ""
        on = params.get("first") or params.get("date") or ""
        return reverse("drillplans:records-school", args=[params["school_id"]]) + (
            f"?on={on}" if on else ""
        )


@register
class PeriodStart(_RecordsLink, DistrictSweep):
    name = "drill_period_start"
    label = _("A drill period begins")
    recipients = _("The school's principal and safety officers, when a drill period begins.")
    crontab = {"hour": 7, "minute": 0}
    # A tick missed for a day or two still announces the period.
    catch_up_days = 2

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        since = today - self.catch_up_days * ONE_DAY
        windows = [
            w
            for w in _requirement_windows(now, since, today, districts)
            if today - self.catch_up_days * ONE_DAY <= w.date <= today
            and w.status == WindowStatus.OPEN
        ]
        schools = _schools(w.school_id for w in windows)
        leaders = recipients.school_leaders({w.school_id for w in windows})
        items = [(_subject(w), "start", _window_params(w, schools)) for w in windows]
        return _dues(self, items, lambda school_id: leaders.get(school_id, ()))

    def body(self, params):
        return _("%(school)s: %(rule)s is due between %(first)s and %(last)s.") % params


def _satisfying(requirements, window, drills):
    """Does one of `drills` (planned, running or held) count for `window`'s requirement?"""
    requirement = requirements.get(window.rule_id)
    types = requirement.drill_types if requirement else []
    return any(
        window.start <= planned_at < window.end and (not types or drill_type in types)
        for drill_type, planned_at in drills.get(window.school_id, ())
    )


@register
class NothingPlanned(_RecordsLink, DistrictSweep):
    name = "drill_nothing_planned"
    label = _("No drill planned before the period ends")
    recipients = _(
        "The school's principal and safety officers, 10 days before a drill period ends "
        "when no drill that would count is planned."
    )
    crontab = {"hour": 7, "minute": 5}
    days_before = 10

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        windows = [
            w
            for w in _requirement_windows(now, today, today, districts)
            if w.status == WindowStatus.OPEN and (_last_day(w) - today).days <= self.days_before
        ]
        if not windows:
            return []
        requirements = {
            r.obligation_id: r
            for r in DrillRequirement.objects.filter(obligation_id__in={w.rule_id for w in windows})
        }
        drills = defaultdict(list)
        for school_id, drill_type, planned_at in Drill.objects.filter(
            # Planned, running or held but not yet signed off (a signed-off drill
            # is in the window's completions already).
            ~Q(status=DrillStatus.CLOSED),
            school_id__in={w.school_id for w in windows},
            planned_at__gte=min(w.start for w in windows),
            planned_at__lt=max(w.end for w in windows),
        ).values_list("school_id", "drill_type", "planned_at"):
            drills[school_id].append((drill_type, planned_at))
        # A window short of completions and with nothing coming that counts.
        bare = [w for w in windows if not _satisfying(requirements, w, drills)]
        schools = _schools(w.school_id for w in bare)
        leaders = recipients.school_leaders({w.school_id for w in bare})
        items = [(_subject(w), "ending", _window_params(w, schools)) for w in bare]
        return _dues(self, items, lambda school_id: leaders.get(school_id, ()))

    def body(self, params):
        return (
            _("%(school)s: %(rule)s ends on %(last)s and no drill that counts is planned.") % params
        )


@register
class DrillTomorrow(_RecordsLink):
    name = "drill_tomorrow"
    label = _("A drill tomorrow")
    recipients = _("The school's principal and safety officers, the day before a planned drill.")
    crontab = {"hour": 16, "minute": 0}

    def sweep(self, now):
        tomorrow = timezone.localdate(now) + ONE_DAY
        start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(0)))
        drills = list(
            Drill.objects.filter(
                status=DrillStatus.PLANNED, planned_at__gte=start, planned_at__lt=start + ONE_DAY
            )
            .select_related("school")
            .order_by("planned_at", "pk")
        )
        leaders = recipients.school_leaders({d.school_id for d in drills})
        items = [
            (
                f"drill:{drill.pk}",
                tomorrow.isoformat(),
                {
                    "school_id": drill.school_id,
                    "school": drill.school.name,
                    "date": tomorrow.isoformat(),
                    "time": timezone.localtime(drill.planned_at).strftime("%H:%M"),
                    "type": drill.get_drill_type_display(),
                    "commander": drill.commander,
                },
            )
            for drill in drills
        ]
        return _dues(self, items, lambda school_id: leaders.get(school_id, ()))

    def body(self, params):
        return (
            _("%(school)s: %(type)s drill tomorrow at %(time)s, commanded by %(commander)s.")
            % params
        )


def _missed(now, first, last, districts):
    """Requirement windows missed at `now` whose last day lies within [first, last].

    Such a window overlaps [first, last], so that range is all due_windows() needs.
    """
    windows = _requirement_windows(now, first, last, districts)
    return [w for w in windows if w.status == WindowStatus.MISSED and first <= _last_day(w) <= last]


@register
class Overdue(_RecordsLink, DistrictSweep):
    name = "drill_overdue"
    label = _("Drill requirement overdue")
    recipients = _("The school's principal, once a drill period has ended unsatisfied.")
    crontab = {"hour": 7, "minute": 10}
    horizon = 14

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        windows = _missed(now, today - self.horizon * ONE_DAY, today - ONE_DAY, districts)
        schools = _schools(w.school_id for w in windows)
        heads = recipients.principals({w.school_id for w in windows})
        items = [(_subject(w), "overdue", _window_params(w, schools)) for w in windows]
        return _dues(self, items, lambda school_id: heads.get(school_id, ()))

    def body(self, params):
        return _("%(school)s: %(rule)s was not met between %(first)s and %(last)s.") % params


@register
class OverdueOfDistrict(recipients.DistrictSummary, _RecordsLink, DistrictSweep):
    """Once a month, district staff get one list of last month's unmet drill periods."""

    name = "drill_overdue_district"
    label = _("Drill requirements unmet last month")
    recipients = _(
        "The district's education bureau staff: one list a month of the periods that ended "
        "unmet the month before."
    )
    # Daily, so a missed first of the month is caught up: the list is sent once a month.
    crontab = {"hour": 8, "minute": 15}
    listed = 30

    def sweep_districts(self, now, districts):
        first_of_month = timezone.localdate(now).replace(day=1)
        last = first_of_month - ONE_DAY
        first = last.replace(day=1)
        windows = _missed(now, first, last, districts)
        schools = _schools(w.school_id for w in windows)
        by_district = defaultdict(list)
        for window in windows:
            by_district[schools[window.school_id][1]].append(_window_params(window, schools))
        dues = recipients.district_summaries(self, by_district, first, self.listed)
        for due in dues:
            # One list a month: its key is the month, whatever the day it goes out.
            due.due = first.strftime("%Y-%m")
        return dues

    def url(self, params):
        return ""

    def title(self, params):
        return (
            ngettext(
                "%(count)s drill requirement unmet in the month of %(date)s",
                "%(count)s drill requirements unmet in the month of %(date)s",
                params["count"],
            )
            % params
        )

    def line(self, item):
        return f"{item['school']} {item['rule']} {item['first']}–{item['last']}"


@register
class NotEvaluated(_RecordsLink):
    name = "drill_not_evaluated"
    label = _("Drill not evaluated")
    recipients = _("The school's principal, 3 days after a drill's all clear and again at 7.")
    crontab = {"hour": 7, "minute": 15}
    stages = (7, 3)
    horizon = 30

    def sweep(self, now):
        drills = list(
            Drill.objects.filter(
                status=DrillStatus.HELD,
                evaluation_score__isnull=True,
                evaluation="",
                all_clear_at__lte=now - min(self.stages) * ONE_DAY,
                all_clear_at__gte=now - self.horizon * ONE_DAY,
            )
            .select_related("school")
            .order_by("all_clear_at", "pk")
        )
        heads = recipients.principals({d.school_id for d in drills})
        items = []
        for drill in drills:
            days = (now - drill.all_clear_at).days
            stage = next(stage for stage in self.stages if days >= stage)
            items.append(
                (
                    f"drill:{drill.pk}",
                    f"after-{stage}",
                    {
                        "school_id": drill.school_id,
                        "school": drill.school.name,
                        "date": timezone.localdate(drill.all_clear_at).isoformat(),
                        "type": drill.get_drill_type_display(),
                        "days": stage,
                    },
                )
            )
        return _dues(self, items, lambda school_id: heads.get(school_id, ()))

    def body(self, params):
        return (
            _("%(school)s: the %(type)s drill of %(date)s is not evaluated after %(days)s days.")
            % params
        )


@register
class PlanReview(ReminderKind):
    name = "emergency_plan_review"
    label = _("Emergency plan to review")
    recipients = _(
        "The school's principal and safety officers, weekly while a plan is past its review "
        "date or a drill's request for a revised plan is not answered by a new version."
    )
    crontab = {"hour": 7, "minute": 20}

    def sweep(self, now):
        today = timezone.localdate(now)
        # Weekly until answered: the due key is the ISO week.
        week = "{}-W{:02d}".format(*today.isocalendar()[:2])
        overdue = list(
            plans.overdue_reviews(EmergencyPlan.objects.all(), today)
            .select_related("school")
            .order_by("pk")
        )
        revisions = list(
            plans.revisions_requested(Drill.objects.all()).select_related("school").order_by("pk")
        )
        leaders = recipients.school_leaders(
            {p.school_id for p in overdue} | {d.school_id for d in revisions}
        )
        items = [
            (
                f"plan:{plan.pk}",
                week,
                {
                    "school_id": plan.school_id,
                    "school": plan.school.name,
                    "state": "review",
                    "plan": plan.get_plan_type_display(),
                    "date": plan.revision_due.isoformat(),
                },
            )
            for plan in overdue
        ] + [
            (
                f"revision:{drill.pk}",
                week,
                {
                    "school_id": drill.school_id,
                    "school": drill.school.name,
                    "state": "revision",
                    "plan": str(PlanType(drill.revised_plan_type).label),
                    "date": timezone.localdate(drill.all_clear_at).isoformat(),
                },
            )
            for drill in revisions
        ]
        return _dues(self, items, lambda school_id: leaders.get(school_id, ()))

    def body(self, params):
        if params["state"] == "revision":
            return (
                _("%(school)s: the drill of %(date)s asked for a revised %(plan)s plan.") % params
            )
        return _("%(school)s: the %(plan)s plan was due for review on %(date)s.") % params

    def url(self, params):
        return f"{reverse('drillplans:plans')}?school={params['school_id']}"


@register
class Prenotice(ReminderKind):
    name = "drill_prenotice"
    label = _("Police pre-notification of an alarm drill")
    recipients = _(
        "2 days before a planned alarm drill: the school's principal and safety officers "
        "when the police station was not notified; they and the station's police liaisons "
        "when the notification is not acknowledged."
    )
    crontab = {"hour": 7, "minute": 25}
    days_before = 2

    def sweep(self, now):
        day = timezone.localdate(now) + self.days_before * ONE_DAY
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))
        drills = list(
            Drill.objects.filter(
                status=DrillStatus.PLANNED,
                drill_type__in=ALARM_TYPES,
                planned_at__gte=start,
                planned_at__lt=start + ONE_DAY,
                prenotice_acknowledged_at__isnull=True,
            )
            .select_related("school")
            .order_by("planned_at", "pk")
        )
        leaders = recipients.school_leaders({d.school_id for d in drills})
        # The liaisons are told only of a notification they have to acknowledge.
        liaisons = recipients.police_liaisons(
            {d.school.police_station_id for d in drills if d.prenotified_at}
        )
        dues = []
        for drill in drills:
            state = "unacknowledged" if drill.prenotified_at else "unsent"
            told = list(leaders.get(drill.school_id, ()))
            if drill.prenotified_at:
                told += [
                    pk for pk in liaisons.get(drill.school.police_station_id, ()) if pk not in told
                ]
            params = {
                "school_id": drill.school_id,
                "school": drill.school.name,
                "drill_id": drill.pk,
                "state": state,
                "date": day.isoformat(),
                "time": timezone.localtime(drill.planned_at).strftime("%H:%M"),
                "type": drill.get_drill_type_display(),
            }
            # One step per state: a notification sent after the first reminder
            # still gets its acknowledgement reminded.
            dues += [
                Due(
                    self.name,
                    subject=f"drill:{drill.pk}",
                    due=f"{state}:{day.isoformat()}",
                    user_id=user_id,
                    school_id=drill.school_id,
                    params=params,
                )
                for user_id in told
            ]
        return dues

    def body(self, params):
        if params["state"] == "unsent":
            return (
                _(
                    "%(school)s: the %(type)s drill of %(date)s at %(time)s is not yet "
                    "notified to the police station."
                )
                % params
            )
        return (
            _(
                "%(school)s: the police have not acknowledged the notification of the "
                "%(type)s drill of %(date)s at %(time)s."
            )
            % params
        )

    def url(self, params):
        return reverse("drills:live", args=[params["drill_id"]])
