"""The posts lists as exports (campussafety/exports.py): the member registry and the duty
logs, with the pages' own scoped querysets and filters, and phones masked as on screen."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from campussafety import personal
from campussafety.exports import Column, Table, filtered
from posts.choices import VerificationStatus
from posts.coverage import (
    coverage,
    coverage_schools,
    drill_level,
    missed_days,
    sort_rows,
    with_missing_periods,
)
from posts.filtersets import DutyLogFilterSet, MemberFilterSet
from posts.forms import CoverageForm, DateRangeForm
from posts.models import DailyCoverage, DutyLog, Member, MemberAssignment
from posts.templatetags.posts_extras import shown_phone
from schools.models import School


def current_assignments(user):
    """Prefetch of each member's assignments in force today, at schools the user sees."""
    from django.db.models import Prefetch

    return Prefetch(
        "assignments",
        queryset=MemberAssignment.objects.for_user(user)
        .filter(MemberAssignment.active_on(timezone.localdate()))
        .select_related("school"),
        to_attr="current_assignments",
    )


def member_rows(user):
    """The registry as the user sees it: phone_visible says whose phone shows in full."""
    return (
        Member.objects.for_user(user)
        .with_phone_visibility(user)
        .prefetch_related(current_assignments(user))
    )


def member_columns():
    """A member's row in every export of members: masked as the pages show them (the ID
    number always, the phone unless the user's role shows it in full: `phone_visible`)."""
    return [
        Column(_("Name"), lambda m: m.name),
        Column(_("Kind"), lambda m: m.get_kind_display()),
        Column(_("Unit"), lambda m: m.unit_name),
        Column(_("Phone"), shown_phone),
        Column(_("ID card number"), lambda m: m.id_number_masked),
        Column(_("Guard certificate"), lambda m: personal.mask_number(m.guard_certificate_number)),
        Column(_("Certificate valid until"), lambda m: m.guard_certificate_expiry),
        Column(_("Verification"), lambda m: m.get_verification_status_display()),
        Column(_("Active"), lambda m: m.is_active),
        Column(
            _("Schools"),
            lambda m: "、".join(a.school.name for a in m.current_assignments),
        ),
    ]


def member_table(user, query) -> Table:
    rows = filtered(MemberFilterSet, query, member_rows(user), user).order_by("name", "pk")
    return Table(
        name="post-members",
        title=_("Post members"),
        model=Member,
        rows=rows,
        columns=member_columns(),
    )


def verification_rows(user):
    """The members waiting for verification that the user may verify, oldest first."""
    if not Scope.of(user).can(Member, "verify"):
        raise PermissionDenied(
            _("Members are verified by district education bureau staff and police liaisons.")
        )
    # phone_visible: police see the phone to call the member; assignments: their schools.
    return (
        Member.objects.for_user(user, "verify")
        .filter(verification_status=VerificationStatus.PENDING)
        .with_phone_visibility(user)
        .prefetch_related(current_assignments(user))
        .order_by("created", "pk")
    )


def verification_table(user, query) -> Table:
    return Table(
        name="verification-queue",
        title=_("Verification queue"),
        model=Member,
        rows=verification_rows(user),
        columns=[
            *member_columns(),
            Column(_("Registered"), lambda m: m.created),
        ],
    )


# The duty log list's order (posts/views/dutylogs.py), a total order.
LOG_LIST_ORDER = ("-date", "school_id", "post_period_id")


def log_rows(user):
    # school and post_period__post: each row names its school and post.
    return DutyLog.objects.for_user(user).select_related(
        "school__district__city", "post_period__post"
    )


def log_table(user, query) -> Table:
    rows = filtered(DutyLogFilterSet, query, log_rows(user), user).order_by(*LOG_LIST_ORDER)
    return Table(
        name="duty-logs",
        title=_("Duty logs"),
        model=DutyLog,
        rows=rows,
        columns=[
            Column(_("Date"), lambda log: log.date),
            Column(_("District"), lambda log: log.school.district.name),
            Column(_("School"), lambda log: log.school.name),
            Column(_("Post"), lambda log: log.post_period.post.name),
            Column(_("Period"), lambda log: log.get_period_display()),
            Column(_("Members present"), lambda log: log.present_count),
            Column(_("Police officers present"), lambda log: log.police_count),
            Column(_("Qualified members present"), lambda log: log.qualified_count),
            Column(_("Minimum staffing met"), lambda log: log.meets_staffing),
            Column(_("Qualified share met"), lambda log: log.meets_qualified_share),
            Column(_("Late entry"), lambda log: log.is_late),
            Column(_("Countersigned"), lambda log: log.countersigned_at is not None),
        ],
    )


def coverage_rows(user, query):
    """The coverage page's form and rows for its query (rows None when the form is not
    valid): one rule for the page and its export."""
    schools = coverage_schools(user)
    form = CoverageForm(query, user=user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    group_by = data["group_by"] or drill_level(user, data)
    rows = coverage(form.narrow(schools), data["start"], data["end"], group_by)
    return form, sort_rows(rows, data["sort"] or "label")


def missed_rows(user, query):
    """The missed-days page's form and days (a MissedDays, read a slice at a time)."""
    schools = coverage_schools(user)
    form = DateRangeForm(query, user=user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, missed_days(form.narrow(schools), data["start"], data["end"])


def refused(form):
    """A query the page would show with form errors: the export is a 400 saying why."""
    messages = [str(error) for errors in form.errors.values() for error in errors]
    return BadRequest("; ".join(messages))


def coverage_table(user, query) -> Table:
    form, rows = coverage_rows(user, query)
    if rows is None:
        raise refused(form)
    data = form.cleaned_data
    group_by = data["group_by"] or drill_level(user, data)
    first = {"day": _("Day"), "district": _("District"), "city": _("City")}.get(
        group_by, _("School")
    )
    return Table(
        name=f"coverage-{group_by}",
        title=_("Post coverage %(start)s – %(end)s") % {"start": data["start"], "end": data["end"]},
        model=DailyCoverage,
        as_of=data["end"],
        rows=rows,
        columns=[
            Column(first, lambda row: row.key if group_by == "day" else row.label),
            Column(_("School days"), lambda row: row.school_days),
            Column(_("Covered"), lambda row: row.covered),
            Column(_("Coverage rate"), lambda row: row.coverage_rate),
            Column(_("Partial"), lambda row: row.partial),
            Column(_("Missed"), lambda row: row.missed),
            Column(_("Understaffed logs"), lambda row: row.understaffed_logs),
            Column(_("Late entries"), lambda row: row.late_logs),
            Column(_("Qualified share"), lambda row: row.qualified_share),
        ],
    )


def name_missed_days(chunk):
    """For a chunk of missed days: the periods each lacks and its school's name (3 queries)."""
    with_missing_periods(chunk)
    names = dict(
        School.objects.filter(pk__in={item.school_id for item in chunk}).values_list("pk", "name")
    )
    for item in chunk:
        item.school_name = names.get(item.school_id, "")


def missed_table(user, query) -> Table:
    form, missed = missed_rows(user, query)
    if missed is None:
        raise refused(form)
    data = form.cleaned_data
    return Table(
        name="missed-days",
        title=_("Missed days %(start)s – %(end)s") % {"start": data["start"], "end": data["end"]},
        model=DailyCoverage,
        as_of=data["end"],
        rows=missed,
        prepare=name_missed_days,
        columns=[
            Column(_("Date"), lambda item: item.date),
            Column(_("School"), lambda item: item.school_name),
            Column(
                _("Not logged"),
                lambda item: (
                    "、".join(str(period) for period in item.missing)
                    if item.is_partial
                    else _("all posts")
                ),
            ),
        ],
    )
