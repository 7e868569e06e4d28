"""What the posts app lets a bureau measure: coverage, qualified shares, guards, peaks.

Four of the national "four 100%" (CHECKS.md §7) rest partly or wholly on this
app's evidence: (1) licensed guards against the region's GuardRule, (2) the
gate-staffed half of "closed campus" (the composite is in
dashboards/indicators.py), and (4) every peak covered in the last 10 school
days. Each compute() below costs a constant number of queries.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campussafety.indicators import Indicator, Measure, Unit, page_url, shared, trailing
from posts.choices import MemberKind
from posts.coverage import counted_school_days, coverage
from posts.models import DailyCoverage, GuardRule, Member, MemberAssignment

# Four-100% #4: the peaks of this many school days, the latest ones up to as_of.
PEAK_SCHOOL_DAYS = 10
# How far back to look for them: long enough to reach over a summer vacation.
PEAK_LOOKBACK_DAYS = 120


@shared
def _coverage(schools, as_of):
    start, end = trailing(as_of)
    return {row.key: row for row in coverage(schools, start, end, "school")}


def coverage_measures(schools, as_of):
    """School days covered (every required post period logged) of the school days."""
    return {
        pk: Measure(row.covered, row.school_days) for pk, row in _coverage(schools, as_of).items()
    }


def attendance_measures(schools, as_of):
    """Members present who were police or certified guards, of the members present."""
    return {
        pk: Measure(row.qualified, row.present) for pk, row in _coverage(schools, as_of).items()
    }


def _assigned(schools, as_of):
    """The assignments in force on as_of of the schools' active members."""
    return MemberAssignment.objects.filter(
        MemberAssignment.active_on(as_of),
        school__in=schools.order_by().values("pk"),
        member__is_active=True,
    )


def registry_measures(schools, as_of):
    """Registered members who are police or hold a valid guard certificate, of all members."""
    rows = (
        _assigned(schools, as_of)
        .values("school_id")
        .annotate(
            members=Count("member_id", distinct=True),
            qualified=Count(
                "member_id",
                distinct=True,
                filter=Member.qualified_condition("member__", day=as_of),
            ),
        )
        .order_by()
    )
    return {row["school_id"]: Measure(row["qualified"], row["members"]) for row in rows}


@shared
def licensed_guards(schools, as_of) -> dict[int, int]:
    """Verified security guards with a certificate valid on as_of, on each school's roster."""
    licensed = Member.qualified_condition("member__", day=as_of) & Q(
        member__kind=MemberKind.SECURITY_GUARD
    )
    rows = (
        _assigned(schools, as_of)
        .filter(licensed)
        .values("school_id")
        .annotate(guards=Count("member_id", distinct=True))
        .order_by()
    )
    return {row["school_id"]: row["guards"] for row in rows}


def guards_required(schools) -> dict[int, int]:
    """The guards each school needs under its city's GuardRule (else the national one).

    Two queries: the rules, and the schools' sizes.
    """
    rules = {rule.city_id: rule for rule in GuardRule.objects.all()}
    required = {}
    for pk, city_id, pupils, staff, boarding in schools.order_by().values_list(
        "pk", "district__city_id", "enrolment", "staff_count", "is_boarding"
    ):
        rule = rules.get(city_id) or rules.get(None)
        if rule is not None:
            required[pk] = rule.required(pupils, staff, boarding)
    return required


def guard_measures(schools, as_of):
    """Met (1 of 1) where the licensed guards on the roster reach the region's rule."""
    guards = licensed_guards(schools, as_of)
    return {
        pk: Measure(int(guards.get(pk, 0) >= needed), 1)
        for pk, needed in guards_required(schools).items()
    }


def any_guard_measures(schools, as_of):
    """Met where at least one licensed guard is on the roster (the rule's floor, shown too)."""
    guards = licensed_guards(schools, as_of)
    return {
        pk: Measure(int(guards.get(pk, 0) >= 1), 1)
        for pk in schools.order_by().values_list("pk", flat=True)
    }


@shared
def peak_days(schools, as_of, count=PEAK_SCHOOL_DAYS) -> dict[int, tuple[list, set]]:
    """{school: (its last `count` school days up to as_of, the ones with every peak logged)}.

    Today counts once the school has logged something (as in coverage). Schools
    without a school day in the look-back are left out: nothing to judge.
    Four queries: the calendar's three and the coverage rows.
    """
    start = as_of - datetime.timedelta(days=PEAK_LOOKBACK_DAYS)
    days = {
        pk: list(school_days[-count:])
        for pk, school_days in counted_school_days(schools, start, as_of).items()
        if school_days
    }
    if not days:
        return {}
    first = min(school_days[0] for school_days in days.values())
    full = defaultdict(set)
    for pk, day in (
        DailyCoverage.objects.filter(
            school_id__in=schools.order_by().values("pk"),
            date__gte=first,
            date__lte=as_of,
            required__gt=0,
            logged__gte=F("required"),
        )
        .order_by()
        .values_list("school_id", "date")
    ):
        full[pk].add(day)
    return {pk: (school_days, full[pk]) for pk, school_days in days.items()}


def peaks_measures(schools, as_of):
    """Met where every required post period was logged on each of the last 10 school days."""
    return {
        pk: Measure(int(all(day in full for day in school_days)), 1)
        for pk, (school_days, full) in peak_days(schools, as_of).items()
    }


def gate_staffed_measures(schools, as_of):
    """Met where every required post period (the gates' posts) was logged on the latest school
    day up to as_of."""
    return {
        pk: Measure(int(school_days[-1] in full), 1)
        for pk, (school_days, full) in peak_days(schools, as_of).items()
    }


def _logs(school_id, as_of, days=None):
    start, end = trailing(as_of, days) if days else trailing(as_of)
    return page_url(reverse("posts:logs"), school=school_id, date_after=start, date_before=end)


def _members(school_id, as_of):
    return page_url(reverse("posts:members"), school=school_id)


def _guards(school_id, as_of):
    return page_url(reverse("posts:members"), school=school_id, kind=MemberKind.SECURITY_GUARD)


SOURCE_POSTS = "教育部 公安部 关于建立中小学幼儿园安全防范工作长效机制的通知 (护学岗)"
SOURCE_GUARDS = "CHECKS.md §6 (per city: posts.GuardRule, GB/T 29315-2022 by default)"
# Each city's rule with its source and history, edited there by city staff.
GUARD_RULES_PAGE = "posts:guard-rules"

INDICATORS = [
    Indicator(
        code="posts.coverage",
        name=_("Protection post coverage"),
        unit=Unit.PERCENT,
        rule=_(
            "School days on which every required post period had a log meeting its staffing "
            "and qualified-share rules, last 30 days."
        ),
        source=SOURCE_POSTS,
        compute=coverage_measures,
        evidence=_logs,
        target=100.0,
        order=20,
    ),
    Indicator(
        code="posts.qualified_attendance",
        name=_("Qualified share at posts (attendance)"),
        unit=Unit.PERCENT,
        rule=_(
            "Members present at posts who were police, auxiliary police or guards with a "
            "valid certificate, of all members present, last 30 days."
        ),
        source=SOURCE_POSTS,
        compute=attendance_measures,
        evidence=_logs,
        target=100.0,
        order=21,
    ),
    Indicator(
        code="posts.qualified_registry",
        name=_("Qualified share of registered members"),
        unit=Unit.PERCENT,
        rule=_(
            "Registered members serving the school who are police, auxiliary police or "
            "verified guards with a valid certificate, of all its members."
        ),
        source=SOURCE_POSTS,
        compute=registry_measures,
        evidence=_members,
        target=100.0,
        order=22,
    ),
    Indicator(
        code="posts.guards",
        name=_("Full-time security guards"),
        unit=Unit.PERCENT,
        rule=_(
            "Licensed security guards on the school's roster reach the number its region's "
            "guard rule asks for its size."
        ),
        source=SOURCE_GUARDS,
        compute=guard_measures,
        evidence=_guards,
        rule_page=GUARD_RULES_PAGE,
        target=100.0,
        four_100=1,
        order=1,
    ),
    Indicator(
        code="posts.guards_any",
        name=_("At least one security guard"),
        unit=Unit.PERCENT,
        rule=_("At least one licensed security guard on the school's roster."),
        source=SOURCE_GUARDS,
        compute=any_guard_measures,
        evidence=_guards,
        rule_page=GUARD_RULES_PAGE,
        target=100.0,
        order=5,
    ),
    Indicator(
        code="posts.gate_staffed",
        name=_("Gate staffed"),
        unit=Unit.PERCENT,
        rule=_("Every required post period at the gates logged on the latest school day."),
        source=SOURCE_POSTS,
        compute=gate_staffed_measures,
        evidence=lambda school_id, as_of: _logs(school_id, as_of, days=7),
        target=100.0,
        order=6,
    ),
    Indicator(
        code="posts.peaks_covered",
        name=_("Protection posts at every peak"),
        unit=Unit.PERCENT,
        rule=_("Every required post period logged on each of the last 10 school days."),
        source=SOURCE_POSTS,
        compute=peaks_measures,
        evidence=lambda school_id, as_of: _logs(school_id, as_of, days=PEAK_LOOKBACK_DAYS),
        target=100.0,
        four_100=4,
        order=4,
    ),
]
