"""Rosters: generating dated shifts from the weekly pattern, editing them, and checking them."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campussafety.dates import date_range_errors
from posts.choices import POLICE_KINDS, ShiftOrigin, VerificationStatus
from posts.models import Member, MemberAssignment, PostPeriod, RosterRule, Shift
from posts.rules import Staffing
from schools.calendar import pattern_weekdays, school_days
from schools.calendar_sql import school_days_sql
from schools.models import School

# Shifts are generated at most this far ahead at a time, on the page (in weeks) and in the
# API (in days): further out the pattern will have changed before the shifts come.
MAX_GENERATED_WEEKS = 8
MAX_GENERATED_DAYS = MAX_GENERATED_WEEKS * 7


@dataclass
class GenerationResult:
    created: int = 0
    removed: int = 0
    kept_manual: int = 0


def generate_shifts(post_periods, start: datetime.date, end: datetime.date) -> GenerationResult:
    """Turn the weekly pattern of `post_periods` into shifts on school days from start to end.

    Safe to run again: shifts already there stay, manual edits (added shifts and
    cancelled ones) are kept, and pattern shifts whose rule was removed go.
    """
    if start < timezone.localdate():
        raise ValidationError({"start": _("Rosters can only be generated from today on.")})
    errors = date_range_errors(start, end, MAX_GENERATED_DAYS)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the post periods first: a generation of the same roster at the
        # same moment waits, then finds this one's shifts, so each reports the
        # rows it really created and removed.
        periods = list(
            PostPeriod.objects.filter(pk__in=post_periods)
            .select_related("post")
            .select_for_update(of=("self",))
        )
        return _generate(periods, start, end)


def _generate(periods, start, end) -> GenerationResult:
    school_ids = {p.post.school_id for p in periods}
    days_by_school = school_days(school_ids, start, end)
    # A make-up school day on a weekend stands the pattern of the weekday it follows.
    followed = pattern_weekdays(school_ids, start, end)
    school_of = {p.pk: p.post.school_id for p in periods}
    rules = defaultdict(list)
    for period_id, weekday, member_id in RosterRule.objects.filter(
        post_period__in=periods, post_period__post__is_active=True
    ).values_list("post_period_id", "weekday", "member_id"):
        rules[period_id].append((weekday, member_id))

    desired = set()
    for period in periods:
        school_followed = followed.get(period.post.school_id, {})
        for day in days_by_school.get(period.post.school_id, ()):
            day_weekday = school_followed.get(day, day.weekday())
            for weekday, member_id in rules[period.pk]:
                if day_weekday == weekday:
                    desired.add((period.pk, day, member_id))

    existing = {}
    for pk, period_id, day, member_id, origin, cancelled in Shift.objects.filter(
        post_period__in=periods, date__gte=start, date__lte=end
    ).values_list("pk", "post_period_id", "date", "member_id", "origin", "is_cancelled"):
        existing[(period_id, day, member_id)] = (pk, origin, cancelled)

    result = GenerationResult()
    stale = [
        pk
        for key, (pk, origin, cancelled) in existing.items()
        if origin == ShiftOrigin.PATTERN and not cancelled and key not in desired
    ]
    result.kept_manual = sum(
        1
        for pk, origin, cancelled in existing.values()
        if origin == ShiftOrigin.MANUAL or cancelled
    )
    new = [
        Shift(
            school_id=school_of[period_id],
            post_period_id=period_id,
            date=day,
            member_id=member_id,
            origin=ShiftOrigin.PATTERN,
        )
        for period_id, day, member_id in sorted(desired - existing.keys())
    ]
    _total, deleted = Shift.objects.filter(pk__in=stale).delete()
    result.removed = deleted.get(Shift._meta.label, 0)
    # ignore_conflicts: a shift added by hand meanwhile (not under the lock) stays.
    Shift.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
    result.created = len(new)
    return result


def shift_conflicts(member: Member, post_period: PostPeriod, day, ignore=()) -> list[str]:
    """Why `member` cannot stand `post_period` on `day`; empty when they can."""
    problems = []
    if not member.is_active:
        problems.append(_("%(name)s is no longer active.") % {"name": member.name})
    if member.verification_status != VerificationStatus.VERIFIED:
        problems.append(_("%(name)s has not been verified.") % {"name": member.name})
    school_id = post_period.post.school_id
    if not MemberAssignment.objects.filter(
        MemberAssignment.active_on(day), member=member, school_id=school_id
    ).exists():
        problems.append(
            _("%(name)s is not assigned to this school on %(day)s.")
            % {"name": member.name, "day": day}
        )
    clash = (
        Shift.objects.filter(
            member=member,
            date=day,
            is_cancelled=False,
            post_period__start_time__lt=post_period.end_time,
            post_period__end_time__gt=post_period.start_time,
        )
        .exclude(post_period=post_period)
        .exclude(pk__in=[shift.pk for shift in ignore])
        .select_related("post_period__post__school")
        .first()
    )
    if clash:
        problems.append(
            _("%(name)s already stands at %(post)s (%(school)s) at that time.")
            % {
                "name": member.name,
                "post": clash.post_period.post.name,
                "school": clash.post_period.post.school.name,
            }
        )
    return problems


def _check(member, post_period, day, ignore=()):
    if day < timezone.localdate():
        raise ValidationError({"date": _("Past shifts cannot be changed.")})
    if (
        Shift.objects.filter(member=member, post_period=post_period, date=day, is_cancelled=False)
        .exclude(pk__in=[shift.pk for shift in ignore if shift.member_id != member.pk])
        .exists()
    ):
        raise ValidationError(
            {"member": [_("%(name)s is already on this shift.") % {"name": member.name}]}
        )
    problems = shift_conflicts(member, post_period, day, ignore)
    if problems:
        raise ValidationError({"member": problems})


def _place(member, post_period, day, note=""):
    shift, _created = Shift.objects.update_or_create(
        post_period=post_period,
        date=day,
        member=member,
        defaults={
            "school_id": post_period.post.school_id,
            "origin": ShiftOrigin.MANUAL,
            "is_cancelled": False,
            "note": note,
        },
    )
    return shift


def _remove(shift: Shift):
    if shift.origin == ShiftOrigin.PATTERN:
        # A tombstone, so generating again does not bring it back.
        shift.is_cancelled = True
        shift.save(update_fields=["is_cancelled", "updated"])
    else:
        shift.delete()


def add_shift(member, post_period, day, note="") -> Shift:
    _check(member, post_period, day)
    with transaction.atomic():
        return _place(member, post_period, day, note)


def remove_shift(shift: Shift):
    if shift.date < timezone.localdate():
        raise ValidationError({"date": _("Past shifts cannot be changed.")})
    with transaction.atomic():
        _remove(shift)


def replace_member(shift: Shift, member: Member) -> Shift:
    """Someone else stands this shift."""
    if shift.member_id == member.pk:
        raise ValidationError({"member": [_("That is the member already on this shift.")]})
    _check(member, shift.post_period, shift.date, ignore=[shift])
    with transaction.atomic():
        _remove(shift)
        return _place(member, shift.post_period, shift.date, shift.note)


def swap_shifts(first: Shift, second: Shift) -> tuple[Shift, Shift]:
    """Two members exchange their shifts."""
    if first.member_id == second.member_id:
        raise ValidationError({"member": [_("Both shifts belong to the same member.")]})
    _check(first.member, second.post_period, second.date, ignore=[first, second])
    _check(second.member, first.post_period, first.date, ignore=[first, second])
    with transaction.atomic():
        _remove(first)
        _remove(second)
        return (
            _place(second.member, first.post_period, first.date, first.note),
            _place(first.member, second.post_period, second.date, second.note),
        )


@dataclass
class RosterProblem:
    post_period: PostPeriod
    date: datetime.date
    staffing: Staffing
    reasons: list[str] = field(default_factory=list)


def roster_problems(post_periods, start, end) -> list[RosterProblem]:
    """Post periods whose roster breaks minimum staffing or the qualified share, day by day.

    Worked out in the database: the required periods of `post_periods` joined to
    their school's days (schools.calendar_sql), their shifts counted per day and
    tested against the minimums in a HAVING, so only the problems come back. The
    calendar costs three queries, the test one, and the periods of the problems one
    more, whatever the number of schools.
    """
    periods = PostPeriod.objects.filter(
        pk__in=post_periods, is_required=True, post__is_active=True
    ).order_by()
    rows = _problem_rows(periods, start, end)
    if not rows:
        return []
    by_pk = PostPeriod.objects.select_related("post__school__district__city").in_bulk(
        {row[0] for row in rows}
    )
    problems = []
    for period_id, day, present, police, qualified in rows:
        period = by_pk[period_id]
        share = period.post.school.district.city.qualified_share_required
        staffing = Staffing(
            present=present,
            police=police,
            qualified=qualified,
            min_members=period.min_members,
            min_police=period.min_police,
            share_required=share,
        )
        problems.append(RosterProblem(period, _as_date(day), staffing, _reasons(staffing)))
    problems.sort(
        key=lambda p: (
            p.post_period.post.school_id,
            p.post_period.start_time,
            p.post_period.pk,
            p.date,
        )
    )
    return problems


def _problem_rows(periods, start, end) -> list[tuple]:
    """(post period id, day, members, police, qualified) of the non-compliant periods and days.

    The compliance test is Staffing.is_compliant's in integers: enough members and
    police, someone there, and qualified x 100 >= the share in hundredths x members.
    """
    schools = School.objects.filter(pk__in=periods.values("post__school_id"))
    days_sql, days_params = school_days_sql(schools, start, end)
    if days_sql is None:
        return []
    # Which shifts count and which are police or qualified: the members' own rules (Q).
    # The shifts of the range counted per period and day first, in one pass (a hash
    # aggregate at city scale), so the join below meets one row a period and day.
    shifts_sql, shifts_params = (
        Shift.objects.filter(
            date__gte=start,
            date__lte=end,
            is_cancelled=False,
            # Only the shifts of these periods' schools: a district's part of a fan-out
            # counted the whole city's shifts, nearly the whole sweep's work each part.
            school__in=schools,
        )
        .order_by()
        .values("post_period_id", "date")
        .annotate(
            members=Count("pk"),
            police=Count("pk", filter=Q(member__kind__in=POLICE_KINDS)),
            qualified=Count("pk", filter=Member.qualified_condition("member__", F("date"))),
        )
        .values("post_period_id", "date", "members", "police", "qualified")
        .query.sql_with_params()
    )
    periods_sql, periods_params = (
        periods.annotate(
            school=F("post__school_id"),
            share=F("post__school__district__city__qualified_share_required"),
        )
        .values("pk", "school", "min_members", "min_police", "share")
        .query.sql_with_params()
    )
    # CTEs name the subqueries' columns (SQLite names a derived table's only so).
    sql = (
        f"WITH {days_sql}, "
        f"p (id, school_id, min_members, min_police, share) AS ({periods_sql}), "
        f"sh (post_period_id, day, members, police, qualified) AS ({shifts_sql}) "
        "SELECT p.id, sd.day, COALESCE(SUM(sh.members), 0), COALESCE(SUM(sh.police), 0), "
        " COALESCE(SUM(sh.qualified), 0) "
        "FROM p JOIN school_day sd ON sd.school_id = p.school_id "
        "LEFT JOIN sh ON sh.post_period_id = p.id AND sh.day = sd.day "
        "GROUP BY p.id, sd.day, p.min_members, p.min_police, p.share "
        "HAVING COALESCE(SUM(sh.members), 0) < p.min_members "
        " OR COALESCE(SUM(sh.police), 0) < p.min_police "
        " OR COALESCE(SUM(sh.members), 0) = 0 "
        " OR COALESCE(SUM(sh.qualified), 0) * 100 "
        "  < CAST(ROUND(p.share * 100) AS INTEGER) * COALESCE(SUM(sh.members), 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*days_params, *periods_params, *shifts_params])
        return cursor.fetchall()


def _reasons(staffing: Staffing) -> list[str]:
    reasons = []
    if staffing.present < staffing.min_members:
        reasons.append(
            _("%(count)s of %(minimum)s members rostered")
            % {"count": staffing.present, "minimum": staffing.min_members}
        )
    if staffing.police < staffing.min_police:
        reasons.append(
            _("%(count)s of %(minimum)s police officers rostered")
            % {"count": staffing.police, "minimum": staffing.min_police}
        )
    if not staffing.meets_qualified_share:
        reasons.append(
            _("qualified share %(share)s below %(required)s")
            % {
                "share": _percent(staffing.qualified_share),
                "required": _percent(staffing.share_required),
            }
        )
    return reasons


def _as_date(value):
    """A day as the database sent it back (SQLite: the ISO text it was given)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _percent(value):
    return "—" if value is None else f"{value * 100:.0f}%"
