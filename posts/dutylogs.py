"""Submitting, editing and countersigning duty logs, and keeping daily coverage current."""

import datetime
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.db.models import Count, Q, Sum
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import BUREAU, Scope
from campussafety.bulk import insert_unless_present
from campussafety.errors import Conflict
from campussafety.rows import Columns, insert_values
from posts.choices import CoverageStatus
from posts.models import (
    DailyCoverage,
    DutyAttendance,
    DutyLog,
    DutyLogRevision,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    Shift,
)
from posts.rules import coverage_status, coverage_status_sql, staffing_of
from schools.calendar import is_school_day
from schools.models import City, District, School

LOG_FIELDS = (
    "actual_start",
    "actual_end",
    "illegal_parking",
    "wrong_way_driving",
    "electric_tricycles",
    "farm_vehicles",
    "other_traffic",
    "incidents",
    "weather",
)


def duplicate_message(existing: DutyLog) -> str:
    """Someone logged the period first: say who and when, so nobody logs it twice.

    The page and the API both say this (the API with the log's id), whatever the day.
    """
    return _("%(period)s was already logged by %(who)s at %(when)s; open it to make changes.") % {
        "period": existing.post_period,
        "who": existing.submitted_by or "—",
        "when": timezone.localtime(existing.created).strftime("%H:%M"),
    }


class DuplicateLog(Conflict):
    """Someone else logged this post period on this day first."""

    def __init__(self, existing: DutyLog):
        super().__init__(duplicate_message(existing), data={"id": existing.pk})
        self.existing = existing


class AlreadyCountersigned(Conflict):
    """A second countersignature, however close behind the first."""

    def __init__(self):
        super().__init__(_("This duty log has already been countersigned."))


# The longest police remark or reason for a return (DutyLog's fields).
REMARK_LENGTH = 200


@dataclass
class AttendanceEntry:
    member: Member
    present: bool = True


def rostered_members(post_period: PostPeriod, day) -> list[Member]:
    """The members rostered on `post_period` on `day` (their shifts not cancelled), by name."""
    return period_with_roster(post_period.pk, day)[1]


class _PeriodQuery:
    """The SQL of period_with_roster(), written once per process."""

    def __init__(self, using):
        quote = connections[using].ops.quote_name
        self.tables = [
            Columns(PostPeriod, "pp"),
            Columns(Post, "p"),
            Columns(School, "s"),
            Columns(District, "d"),
            Columns(City, "c"),
            Columns(Member, "m"),
        ]

        def table(model):
            return quote(model._meta.db_table)

        def column(model, name):
            return quote(model._meta.get_field(name).column)

        # Where each model's columns start in a row.
        self.starts = [sum(columns.width for columns in self.tables[:i]) for i in range(6)]
        select = ", ".join(columns.select(using) for columns in self.tables)
        self.sql = (
            f"SELECT {select} FROM {table(PostPeriod)} pp "
            f"INNER JOIN {table(Post)} p ON p.id = pp.{column(PostPeriod, 'post')} "
            f"INNER JOIN {table(School)} s ON s.id = p.{column(Post, 'school')} "
            f"INNER JOIN {table(District)} d ON d.id = s.{column(School, 'district')} "
            f"INNER JOIN {table(City)} c ON c.id = d.{column(District, 'city')} "
            f"LEFT OUTER JOIN {table(Shift)} sh ON sh.{column(Shift, 'post_period')} = pp.id "
            f"AND sh.{column(Shift, 'date')} = %s AND sh.{column(Shift, 'is_cancelled')} = %s "
            f"LEFT OUTER JOIN {table(Member)} m ON m.id = sh.{column(Shift, 'member')} "
            f"WHERE pp.id = %s ORDER BY m.{column(Member, 'name')}, m.id"
        )


@cache
def _period_query(using) -> _PeriodQuery:
    return _PeriodQuery(using)


def period_with_roster(pk: int, day, using: str = "default"):
    """(The post period `pk` with its post, school, district and city, the members rostered
    on it on `day` by name), or (None, []) when there is no such period: one query.

    The API's duty-log POST reads both at once (posts/api/dutylog_create.py): the
    school, district and city are what submit_log reads (the calendar, the
    late-entry window, the qualified share), the roster who stood.
    """
    query = _period_query(using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [connection.ops.adapt_datefield_value(day), False, pk])
        rows = cursor.fetchall()
    if not rows:
        return None, []
    post_period, post, school, district, city = (
        columns.instance(rows[0], start, using)
        for columns, start in zip(query.tables[:5], query.starts, strict=False)
    )
    district.city = city
    school.district = district
    post.school = school
    post_period.post = post
    members = (query.tables[5].instance(row, query.starts[5], using) for row in rows)
    # No shift that day: one row, its member columns NULL.
    return post_period, [member for member in members if member is not None]


def _validate_day(post_period: PostPeriod, day):
    if day > timezone.localdate():
        raise ValidationError({"date": _("A duty log cannot be written for a day to come.")})
    if not post_period.post.is_active:
        raise ValidationError({"post_period": _("This post is no longer active.")})
    if not is_school_day(post_period.post.school, day):
        raise ValidationError({"date": _("This is not a school day for this school.")})


def _resolve_attendance(post_period, day, entries, rostered=None):
    """The attendance to record: the roster when no entries are given; checked otherwise.

    `rostered` is the roster when the caller read it already (period_with_roster).
    """
    if rostered is None:
        rostered = rostered_members(post_period, day)
    rostered_ids = {member.pk for member in rostered}
    if entries is None:
        return [AttendanceEntry(member) for member in rostered], rostered_ids
    seen = set()
    for entry in entries:
        if entry.member.pk in seen:
            raise ValidationError(
                {"attendance": _("%(name)s is listed twice.") % {"name": entry.member.name}}
            )
        seen.add(entry.member.pk)
    assigned = set(
        MemberAssignment.objects.filter(
            MemberAssignment.active_on(day),
            school_id=post_period.post.school_id,
            member_id__in=seen,
        ).values_list("member_id", flat=True)
    )
    strangers = [entry.member.name for entry in entries if entry.member.pk not in assigned]
    if strangers:
        raise ValidationError(
            {
                "attendance": _("Not assigned to this school on this day: %(names)s.")
                % {"names": ", ".join(strangers)}
            }
        )
    return list(entries), rostered_ids


def _attendance_rows(post_period: PostPeriod, day, entries, rostered_ids, share):
    """The staffing `entries` give (against the city's qualified `share`) and their
    DutyAttendance rows (unsaved, without a log).

    Worked out before anything is written, so a log is inserted once with its figures.
    """
    present = [entry.member for entry in entries if entry.present]
    staffing = staffing_of(present, post_period, day, share)
    rows = [
        DutyAttendance(
            member=entry.member,
            was_rostered=entry.member.pk in rostered_ids,
            present=entry.present,
            is_police=entry.member.is_police,
            is_qualified=entry.member.is_qualified_on(day),
        )
        for entry in entries
    ]
    return staffing, rows


def _set_staffing(log: DutyLog, staffing) -> None:
    log.present_count = staffing.present
    log.police_count = staffing.police
    log.qualified_count = staffing.qualified
    log.meets_staffing = staffing.meets_staffing
    log.meets_qualified_share = staffing.meets_qualified_share


# What an attendance row holds; its key is never read back (see _save_attendance).
ATTENDANCE_COLUMNS = ("log", "member", "was_rostered", "present", "is_police", "is_qualified")


def _save_attendance(log: DutyLog, rows) -> None:
    """Insert the log's attendance in one statement and keep it on the log, so the
    answer is written from memory (each row's member is the one resolved).

    The rows' own keys are not read back: nothing shows or follows them.
    """
    for row in rows:
        row.log = log
    insert_values(rows, ATTENDANCE_COLUMNS)
    # In the order the API lists attendance (ATTENDANCE_ORDER).
    rows = sorted(rows, key=lambda row: (row.member.name, row.member.pk))
    log._prefetched_objects_cache = {"attendance": rows}


# How a log's attendance is listed: by name (the API's prefetch, and the
# in-memory answer to a new log).
ATTENDANCE_ORDER = ("member__name", "member_id")


def with_school(post_period: PostPeriod) -> PostPeriod:
    """`post_period` with its post, school, district and city: as given when a caller
    selected them (the API's and the page's fields do), else read in one query."""
    obj = post_period
    for name in ("post", "school", "district", "city"):
        cached = obj._state.fields_cache
        if name not in cached:
            return PostPeriod.objects.select_related("post__school__district__city").get(
                pk=post_period.pk
            )
        obj = cached[name]
    return post_period


def _late_entry_start(post_period: PostPeriod):
    """The first day school staff may still log: their city's `late_entry_days` back
    (calendar days). `post_period` comes with its school's district and city."""
    window = post_period.post.school.district.city.late_entry_days
    return timezone.localdate() - datetime.timedelta(days=window)


def earliest_loggable_day(user, post_period: PostPeriod):
    """The first day `user` may still log at `post_period`; None when any past day."""
    if Scope.of(user).contains(post_period, "add", roles=BUREAU):
        return None
    return _late_entry_start(post_period)


def check_late_entry(user, post_period: PostPeriod, day) -> bool:
    """Whether a log of `day` is late (补报); refuses one the user may no longer enter.

    Logs are written at the gate on the day. School staff may still log a
    school day they missed within their city's window; an earlier day is the
    bureau's decision.
    """
    if day >= timezone.localdate():
        return False
    # Within the window nobody's roles need reading: the write path stays as cheap.
    if day >= _late_entry_start(post_period) or earliest_loggable_day(user, post_period) is None:
        return True
    raise PermissionDenied(
        _(
            "School staff may log a missed day up to %(days)s days back; "
            "only education bureau staff may log an earlier day."
        )
        % {"days": post_period.post.school.district.city.late_entry_days}
    )


def submit_log(
    user, post_period: PostPeriod, day, attendance=None, rostered=None, **fields
) -> DutyLog:
    """Record the duty log of `post_period` on `day`.

    Without `attendance`, everyone rostered is recorded as present: logging a
    post as rostered is one request. A second submission of the same post
    period and day, even at the same instant, raises DuplicateLog: the
    database's unique constraint decides, not a check that could race.

    The write is three statements: the log with its staffing, its attendance,
    and the school's coverage of the day (count_new_log). Call it inside the
    write check's transaction (write_in_scope); alone, it opens its own.
    `rostered` is the roster of the day when the caller read it with the
    period (period_with_roster).
    """
    post_period = with_school(post_period)
    _validate_day(post_period, day)
    late = check_late_entry(user, post_period, day)
    entries, rostered_ids = _resolve_attendance(post_period, day, attendance, rostered)
    share = post_period.post.school.district.city.qualified_share_required
    staffing, rows = _attendance_rows(post_period, day, entries, rostered_ids, share)
    log = DutyLog(
        school=post_period.post.school,
        post_period=post_period,
        date=day,
        period=post_period.period,
        submitted_by=user,
        is_late=late,
        **{key: value for key, value in fields.items() if key in (*LOG_FIELDS, "photo")},
    )
    _set_staffing(log, staffing)
    log.full_clean(
        exclude=["school", "post_period", "submitted_by", "date"],
        validate_unique=False,
        validate_constraints=False,
    )
    # No savepoint: a duplicate is not an error inside the transaction (ON
    # CONFLICT DO NOTHING, nothing written), and any error undoes the whole write.
    with transaction.atomic(savepoint=False):
        inserted = insert_unless_present(log, ("post_period", "date"))
        if inserted:
            _save_attendance(log, rows)
            count_new_log(log)
    if not inserted:
        existing = (
            DutyLog.objects.select_related("submitted_by", "post_period__post")
            .filter(post_period=post_period, date=day)
            .first()
        )
        if existing is None:
            # Deleted between our INSERT and this read: the period is free again.
            return submit_log(user, post_period, day, attendance, rostered, **fields)
        raise DuplicateLog(existing)
    return log


def is_locked(log: DutyLog) -> bool:
    """After its day, or once countersigned, a log is the bureau's to change,
    unless the police liaison returned it to the school to fix."""
    if log.is_returned:
        return False
    return log.date < timezone.localdate() or log.is_countersigned


# What a revision keeps of a log, in the order changes are shown. (PostgreSQL's
# jsonb does not keep the order of keys, so readers follow this list.)
SNAPSHOT_FIELDS = (
    *LOG_FIELDS,
    "present_count",
    "qualified_count",
    "police_count",
    "meets_staffing",
    "meets_qualified_share",
)
SNAPSHOT_KEYS = (*SNAPSHOT_FIELDS, "attendance")


def snapshot(log: DutyLog) -> dict:
    data = model_to_dict(log, fields=SNAPSHOT_FIELDS)
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            data[key] = value.isoformat()
    data["attendance"] = [
        {"member": row.member_id, "present": row.present, "was_rostered": row.was_rostered}
        for row in log.attendance.order_by("member_id")
    ]
    return data


def update_log(user, log: DutyLog, attendance=None, reason="", **fields) -> DutyLog:
    """Change a log, keeping what it was before; locked logs only by bureau staff."""
    scope = Scope.of(user)
    if not scope.contains(log, "change"):
        raise PermissionDenied(_("You may not change this duty log."))
    if is_locked(log) and not scope.contains(log, "change", roles=BUREAU):
        raise PermissionDenied(
            _(
                "This duty log is closed (its day has ended or it has been countersigned): "
                "only education bureau staff may change it."
            )
        )
    log = DutyLog.objects.select_related("school__district__city", "post_period__post").get(
        pk=log.pk
    )
    before = snapshot(log)
    rows = None
    if attendance is not None:
        entries, rostered_ids = _resolve_attendance(log.post_period, log.date, attendance)
        share = log.school.district.city.qualified_share_required
        staffing, rows = _attendance_rows(log.post_period, log.date, entries, rostered_ids, share)
        _set_staffing(log, staffing)
    for key, value in fields.items():
        if key in (*LOG_FIELDS, "photo"):
            setattr(log, key, value)
    if log.is_returned:
        # Saved again after a return: resubmitted to the police liaison, with
        # the reason kept in the history.
        reason = reason or (_("Fixed after return: %(reason)s") % {"reason": log.return_reason})
        reason = reason[:200]
        log.returned_by, log.returned_at, log.return_reason = None, None, ""
    log.full_clean(
        exclude=["school", "post_period", "submitted_by", "date"],
        validate_unique=False,
        validate_constraints=False,
    )
    with transaction.atomic():
        log.save()
        if rows is not None:
            log.attendance.all().delete()
            _save_attendance(log, rows)
        DutyLogRevision.objects.create(log=log, changed_by=user, reason=reason, before=before)
        refresh_daily_coverage(log.school_id, log.date)
    return log


def _police_remark(text, field, required=False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Say what the school must fix.")})
    if len(text) > REMARK_LENGTH:
        raise ValidationError(
            {field: _("At most %(count)s characters.") % {"count": REMARK_LENGTH}}
        )
    return text


def countersign(user, log: DutyLog, remark: str = "") -> DutyLog:
    """The police liaison confirms the log, with an optional remark. Exactly once: a
    second attempt is refused. Countersigning a returned log settles the return."""
    if not Scope.of(user).contains(log, "countersign"):
        raise PermissionDenied(_("Only the police liaison of this school may countersign."))
    remark = _police_remark(remark, "remark")
    updated = DutyLog.objects.filter(pk=log.pk, countersigned_at__isnull=True).update(
        countersigned_by=user,
        countersigned_at=timezone.now(),
        countersign_remark=remark,
        returned_by=None,
        returned_at=None,
        return_reason="",
    )
    if not updated:
        raise AlreadyCountersigned()
    log.refresh_from_db()
    return log


def countersignable(user, day):
    """The user's logs of `day` that one confirmation may countersign together: compliant,
    not countersigned, not returned to the school."""
    return DutyLog.objects.for_user(user, "countersign").filter(
        date=day,
        countersigned_at__isnull=True,
        returned_at__isnull=True,
        meets_staffing=True,
        meets_qualified_share=True,
    )


# The most logs one bulk countersignature names.
COUNTERSIGN_DAY_LIMIT = 1000


def named_logs(user, ids) -> list[DutyLog]:
    """The logs `ids` names, each one the user sees; one they do not see is refused
    like a missing one (ValidationError), as any write naming an object is."""
    ids = set(ids)
    found = list(DutyLog.objects.for_user(user).filter(pk__in=ids).only("pk"))
    missing = ids - {log.pk for log in found}
    if missing:
        raise ValidationError(
            {"ids": _("No such duty log: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    return found


def countersign_many(user, day, ids) -> list[int]:
    """Countersign the chosen logs of `day` that are still countersignable, in one UPDATE.

    Each log must still pass the rule of countersignable(): one edited below the
    rules or countersigned by someone else since the list was shown is left out.
    Returns the ids countersigned. Call inside write_in_scope.
    """
    chosen = list(
        countersignable(user, day).filter(pk__in=ids).order_by().values_list("pk", flat=True)
    )
    DutyLog.objects.filter(pk__in=chosen, countersigned_at__isnull=True).update(
        countersigned_by=user, countersigned_at=timezone.now()
    )
    return chosen


def return_log(user, log: DutyLog, reason: str) -> DutyLog:
    """The police liaison sends the log back to the school with a reason (required).

    The school sees the reason, fixes the log (it is open to them again, whatever
    its day) and saves it, which resubmits it. A countersigned log is not returned.
    """
    if not Scope.of(user).contains(log, "countersign"):
        raise PermissionDenied(_("Only the police liaison of this school may return a log."))
    reason = _police_remark(reason, "reason", required=True)
    updated = DutyLog.objects.filter(pk=log.pk, countersigned_at__isnull=True).update(
        returned_by=user, returned_at=timezone.now(), return_reason=reason
    )
    if not updated:
        raise AlreadyCountersigned()
    log.refresh_from_db()
    return log


def delete_log(log: DutyLog):
    with transaction.atomic():
        school_id, day = log.school_id, log.date
        log.delete()
        refresh_daily_coverage(school_id, day)


def coverage_rows(school_ids, start, end) -> list[DailyCoverage]:
    """The DailyCoverage rows (unsaved) of `school_ids` from start to end, from their logs.

    Two queries for any number of schools and days: the required post periods
    per school, then the figures of each school and day that has a log. Used
    for one school-day as each log is written, and in bulk by seed_demo.
    """
    required = dict(
        PostPeriod.objects.filter(
            post__school_id__in=school_ids, post__is_active=True, is_required=True
        )
        .values("post__school_id")
        .annotate(count=Count("pk"))
        .values_list("post__school_id", "count")
        .order_by()
    )
    compliant = Q(meets_staffing=True, meets_qualified_share=True)
    on_required = Q(post_period__is_required=True)
    rows = []
    for figures in (
        DutyLog.objects.filter(school_id__in=school_ids, date__gte=start, date__lte=end)
        .values("school_id", "date")
        .annotate(
            logs=Count("pk"),
            understaffed_logs=Count("pk", filter=~compliant),
            late_logs=Count("pk", filter=Q(is_late=True)),
            present=Sum("present_count"),
            qualified=Sum("qualified_count"),
            logged=Count("pk", filter=on_required),
            compliant=Count("pk", filter=on_required & compliant),
        )
        .order_by()
    ):
        needed = required.get(figures["school_id"], 0)
        rows.append(
            DailyCoverage(
                **figures,
                required=needed,
                status=coverage_status(needed, figures["logged"], figures["compliant"]),
            )
        )
    return rows


def refresh_daily_coverage(school_id: int, day):
    """Recount the school's coverage on `day` from its logs. Call inside the writing transaction.

    The row is locked first, so two logs of the same school saved at the same
    moment recount one after the other and the second sees the first.
    """
    DailyCoverage.objects.bulk_create(
        [
            DailyCoverage(
                school_id=school_id,
                date=day,
                required=0,
                logged=0,
                compliant=0,
                status=CoverageStatus.MISSED,
            )
        ],
        ignore_conflicts=True,
    )
    row = DailyCoverage.objects.select_for_update().get(school_id=school_id, date=day)
    counted = coverage_rows([school_id], day, day)
    if not counted:
        row.delete()
        return None
    for field in COVERAGE_FIGURES:
        setattr(row, field, getattr(counted[0], field))
    row.save()
    return row


def count_new_log(log: DutyLog) -> None:
    """Count a log just inserted into its school's coverage of the day: one statement.

    `INSERT … ON CONFLICT (school, date) DO UPDATE`. A school's first log of the
    day recounts the day from its logs (coverage_rows' figures, in SQL); a row
    already there adds this log's figures to itself. Adding, rather than
    recounting, is what keeps the row exact under concurrent writers on
    PostgreSQL: a second writer of the same school and day waits for the
    first's row, and then adds to the row as the first committed it, whereas a
    recount would read the logs as they were when its statement began, without
    the first writer's log. (refresh_daily_coverage, for edits and deletions,
    locks the row before recounting, which composes with this.)
    """
    compliant = log.meets_staffing and log.meets_qualified_share
    required_period = log.post_period.is_required
    delta = {
        "logs": 1,
        "understaffed_logs": int(not compliant),
        "late_logs": int(log.is_late),
        "present": log.present_count,
        "qualified": log.qualified_count,
        "logged": int(required_period),
        "compliant": int(required_period and compliant),
    }
    table = "posts_dailycoverage"
    added = {field: f"{table}.{field} + %({field})s" for field in delta}
    recount = (
        "SELECT %(school)s, %(date)s, r.required, c.logged, c.compliant, {status}, "
        "c.logs, c.understaffed_logs, c.late_logs, c.present, c.qualified "
        "FROM (SELECT COUNT(*) AS required FROM posts_postperiod pp "
        "  JOIN posts_post p ON p.id = pp.post_id "
        "  WHERE p.school_id = %(school)s AND p.is_active AND pp.is_required) r, "
        " (SELECT COUNT(*) AS logs,"
        "  COALESCE(SUM(CASE WHEN l.meets_staffing AND l.meets_qualified_share"
        "   THEN 0 ELSE 1 END), 0) AS understaffed_logs,"
        "  COALESCE(SUM(CASE WHEN l.is_late THEN 1 ELSE 0 END), 0) AS late_logs,"
        "  COALESCE(SUM(l.present_count), 0) AS present,"
        "  COALESCE(SUM(l.qualified_count), 0) AS qualified,"
        "  COALESCE(SUM(CASE WHEN pp.is_required THEN 1 ELSE 0 END), 0) AS logged,"
        "  COALESCE(SUM(CASE WHEN pp.is_required AND l.meets_staffing"
        "   AND l.meets_qualified_share THEN 1 ELSE 0 END), 0) AS compliant"
        "  FROM posts_dutylog l JOIN posts_postperiod pp ON pp.id = l.post_period_id"
        "  WHERE l.school_id = %(school)s AND l.date = %(date)s) c "
        # SQLite reads ON CONFLICT after a SELECT only behind a WHERE.
        "WHERE 1 = 1"
    ).format(status=coverage_status_sql("r.required", "c.logged", "c.compliant"))
    sql = (
        f"INSERT INTO {table} (school_id, date, required, logged, compliant, status, "
        "logs, understaffed_logs, late_logs, present, qualified) "
        f"{recount} "
        "ON CONFLICT (school_id, date) DO UPDATE SET required = excluded.required, "
        + ", ".join(f"{field} = {expression}" for field, expression in added.items())
        + ", status = "
        + coverage_status_sql("excluded.required", added["logged"], added["compliant"])
    )
    params = {
        **delta,
        "school": log.school_id,
        "date": DailyCoverage._meta.get_field("date").get_db_prep_save(log.date, connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# What coverage_rows() works out for a row, besides its school and day.
COVERAGE_FIGURES = (
    "required",
    "logged",
    "compliant",
    "status",
    "logs",
    "understaffed_logs",
    "late_logs",
    "present",
    "qualified",
)
