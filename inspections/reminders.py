"""The reminders of inspections, declared for the reminders app.

Each sweep asks the obligation mechanism for the windows of a whole city at
once (schools/obligations.py: a handful of queries), then the holders of one
role for the schools or districts concerned (one query each): the number of
queries does not grow with the number of schools.
"""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reminders import recipients
from reminders.registry import DistrictSweep, Due, register, schools_in
from schools.choices import Basis, WindowStatus
from schools.models import School
from schools.obligation_rates import missed_windows
from schools.obligations import SATISFIED, due_windows

ONE_DAY = datetime.timedelta(days=1)
# The bases of the windows a guard walks within a day (patrols, gate and night checks).
DAILY = (Basis.SCHOOL_DAY, Basis.BOARDING_NIGHT, Basis.DAY)
FIRE_CHECK, ALARM_TEST = "fire-check", "alarm-test"


def _windows(now, start, end, districts, **which):
    return due_windows(schools_in(districts), start, end, now=now, **which)


def _subject(window):
    return f"window:{window.rule_id}:{window.school_id}:{window.start.isoformat()}"


def _school_names(windows):
    """{school id: (name, district id)} of the windows' schools, in one query."""
    return {
        pk: (name, district_id)
        for pk, name, district_id in School.objects.filter(
            pk__in={w.school_id for w in windows}
        ).values_list("pk", "name", "district_id")
    }


def _params(window, schools, **extra):
    # The zone read once a call, not twice through timezone.localtime(): a city's
    # morning names thousands of windows.
    zone = timezone.get_current_timezone()
    local_start, local_end = window.start.astimezone(zone), window.end.astimezone(zone)
    return {
        "school_id": window.school_id,
        "school": schools[window.school_id][0],
        "rule": window.rule.name,
        "date": window.date.isoformat(),
        "start": local_start.strftime("%H:%M"),
        "end": local_end.strftime("%H:%M"),
        **extra,
    }


class _BoardLink(DistrictSweep):
    url_params = ("school_id",)

    def url(self, params):
        if "school_id" in params:
            return reverse("inspections:board", args=[params["school_id"]])
        return reverse("inspections:completion")


def _missed_daily(now, first, last, districts, due_after=None):
    """The daily windows dated first..last that are missed at `now` (grace passed), only
    those due after `due_after` when given.

    Counted from the materialised window rows: a sweep every ten minutes over
    every school reads the few missed rows instead of working out all windows.
    """
    return missed_windows(
        schools_in(districts),
        first,
        last,
        now,
        domain="inspections",
        bases=DAILY,
        due_after=due_after,
    )


@register
class MissedWindow(_BoardLink):
    """A patrol window missed: the safety officer at once, the principal at two in a day."""

    name = "inspection_missed"
    label = _("Inspection window missed")
    recipients = _(
        "The school's safety officers once a window's grace has passed; the principal "
        "too when two or more are missed in a day."
    )
    every_minutes = 10
    escalate_at = 2
    overlap = datetime.timedelta(hours=1)

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        # Yesterday too: a night's window is dated by its evening. Only windows
        # due today are news (with an hour's overlap for a tick missed at midnight).
        since = (
            timezone.make_aware(datetime.datetime.combine(today, datetime.time(0))) - self.overlap
        )
        missed = _missed_daily(now, today - ONE_DAY, today, districts, due_after=since)
        schools = _school_names(missed)
        officers = recipients.safety_officers(schools)
        by_day = defaultdict(list)
        dues = []
        for window in missed:
            params = _params(window, schools, state="missed")
            by_day[(window.school_id, window.date)].append(params)
            dues += [
                Due(
                    self.name,
                    subject=_subject(window),
                    due=window.date.isoformat(),
                    user_id=user_id,
                    school_id=window.school_id,
                    params=params,
                )
                for user_id in officers.get(window.school_id, ())
            ]
        many = {key: found for key, found in by_day.items() if len(found) >= self.escalate_at}
        heads = recipients.principals({school_id for school_id, _day in many})
        for (school_id, day), found in many.items():
            dues += [
                Due(
                    self.name,
                    # Once a school and day: a third miss does not send it again.
                    subject=f"school-day:{school_id}",
                    due=day.isoformat(),
                    user_id=user_id,
                    school_id=school_id,
                    params={
                        "school_id": school_id,
                        "school": schools[school_id][0],
                        "date": day.isoformat(),
                        "state": "many",
                        "count": len(found),
                    },
                )
                for user_id in heads.get(school_id, ())
            ]
        return dues

    def body(self, params):
        if params.get("state") == "many":
            return (
                ngettext(
                    "%(school)s: %(count)s inspection window missed on %(date)s.",
                    "%(school)s: %(count)s inspection windows missed on %(date)s.",
                    params["count"],
                )
                % params
            )
        return _("%(school)s: %(rule)s, %(date)s %(start)s–%(end)s, was not done.") % params


@register
class MissedWindowsOfDistrict(recipients.DistrictSummary, _BoardLink):
    """Each morning, district staff get one list of yesterday's missed windows in the district."""

    name = "inspection_missed_district"
    label = _("Inspection windows missed yesterday")
    recipients = _("The district's education bureau staff: one list of the district.")
    crontab = {"hour": 8, "minute": 0}
    listed = 30

    def sweep_districts(self, now, districts):
        yesterday = timezone.localdate(now) - ONE_DAY
        missed = _missed_daily(now, yesterday, yesterday, districts)
        schools = _school_names(missed)
        by_district = defaultdict(list)
        for window in missed:
            by_district[schools[window.school_id][1]].append(_params(window, schools))
        return recipients.district_summaries(self, by_district, yesterday, self.listed)

    def title(self, params):
        return (
            ngettext(
                "%(count)s inspection window missed on %(date)s",
                "%(count)s inspection windows missed on %(date)s",
                params["count"],
            )
            % params
        )

    def line(self, item):
        return f"{item['school']} {item['rule']} {item['start']}–{item['end']}"


def _open_periods(now, code, back_days, districts):
    """The windows of rule `code` overlapping the last `back_days` days and the coming week."""
    today = timezone.localdate(now)
    return [
        w
        for w in _windows(
            now,
            today - datetime.timedelta(days=back_days),
            today + 8 * ONE_DAY,
            districts,
            codes=[code],
        )
        if w.status not in SATISFIED and w.status != WindowStatus.EXCUSED
    ]


def _deadline(window):
    """The last day the window may still be done (its grace included)."""
    return timezone.localdate(window.due - datetime.timedelta(microseconds=1))


@register
class FireCheck(_BoardLink):
    """The monthly fire check: coming due, overdue, and long overdue."""

    name = "fire_check"
    label = _("Monthly fire check")
    recipients = _(
        "The school's safety officers 7 days and 1 day before it is due; the principal "
        "once it is overdue; the district's education bureau staff 15 days after."
    )
    crontab = {"hour": 7, "minute": 0}
    warnings = (7, 1)
    escalate_after = 15
    # Overdue windows older than this are history, not news.
    horizon = 30

    def stage(self, window, now):
        today = timezone.localdate(now)
        if window.status == WindowStatus.MISSED:
            late = (today - _deadline(window)).days
            if late > self.horizon:
                return None
            return "overdue-15" if now >= window.due + self.escalate_after * ONE_DAY else "overdue"
        if window.status != WindowStatus.OPEN:
            return None
        left = (_deadline(window) - today).days
        # The nearest warning not yet passed: a missed tick is caught up the next day.
        for days in sorted(self.warnings):
            if left <= days:
                return f"due-{days}"
        return None

    def sweep_districts(self, now, districts):
        back = self.horizon + self.escalate_after + 31
        windows = [
            (w, stage)
            for w in _open_periods(now, FIRE_CHECK, back, districts)
            if (stage := self.stage(w, now))
        ]
        schools = _school_names([w for w, _stage in windows])
        officers = recipients.safety_officers(
            {w.school_id for w, stage in windows if stage.startswith("due")}
        )
        heads = recipients.principals({w.school_id for w, stage in windows if stage == "overdue"})
        staff = recipients.district_staff(
            {schools[w.school_id][1] for w, stage in windows if stage == "overdue-15"}
        )
        dues = []
        for window, stage in windows:
            if stage.startswith("due"):
                users = officers.get(window.school_id, ())
            elif stage == "overdue":
                users = heads.get(window.school_id, ())
            else:
                users = staff.get(schools[window.school_id][1], ())
            params = _params(window, schools, state=stage, deadline=_deadline(window).isoformat())
            dues += [
                Due(
                    self.name,
                    subject=_subject(window),
                    due=stage,
                    user_id=user_id,
                    school_id=window.school_id,
                    params=params,
                )
                for user_id in users
            ]
        return dues

    def body(self, params):
        if params["state"].startswith("due"):
            return _("%(school)s: the month's fire check is due by %(deadline)s.") % params
        return _("%(school)s: the fire check due by %(deadline)s is overdue.") % params


@register
class AlarmTestMissed(_BoardLink):
    """The alarm test not done by the end of its period: to district staff."""

    name = "alarm_test_missed"
    label = _("Alarm test not done")
    recipients = _("The district's education bureau staff, once the test's period has ended.")
    crontab = {"hour": 7, "minute": 30}
    horizon = 30

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        ended = [
            w
            for w in _open_periods(now, ALARM_TEST, self.horizon + 92, districts)
            if w.end <= now and (today - timezone.localdate(w.end)).days <= self.horizon
        ]
        schools = _school_names(ended)
        staff = recipients.district_staff({district for _name, district in schools.values()})
        return [
            Due(
                self.name,
                subject=_subject(window),
                due=window.date.isoformat(),
                user_id=user_id,
                school_id=window.school_id,
                params=_params(
                    window,
                    schools,
                    state="missed",
                    last=(timezone.localdate(window.end) - ONE_DAY).isoformat(),
                ),
            )
            for window in ended
            for user_id in staff.get(schools[window.school_id][1], ())
        ]

    def body(self, params):
        return _("%(school)s: the alarm test of the period ending %(last)s was not done.") % params


# The hazard ledger's reminders register with the others (inspections/hazard_reminders.py).
from inspections import hazard_reminders  # noqa: E402, F401
