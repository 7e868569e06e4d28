"""The posts lists as exports (campussafety/exports.py): the member registry and the duty
logs, with the pages' own scoped querysets and filters, and phones masked as on screen."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campussafety import personal
from campussafety.exports import Column, Table, filtered
from posts.filtersets import DutyLogFilterSet, MemberFilterSet
from posts.models import DutyLog, Member, MemberAssignment
from posts.templatetags.posts_extras import shown_phone


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


def member_table(user, query) -> Table:
    rows = filtered(MemberFilterSet, query, member_rows(user), user).order_by("name", "pk")
    return Table(
        name="post-members",
        title=_("Post members"),
        model=Member,
        rows=rows,
        columns=[
            Column(_("Name"), lambda m: m.name),
            Column(_("Kind"), lambda m: m.get_kind_display()),
            Column(_("Unit"), lambda m: m.unit_name),
            Column(_("Phone"), shown_phone),
            Column(_("ID card number"), lambda m: m.id_number_masked),
            Column(
                _("Guard certificate"), lambda m: personal.mask_number(m.guard_certificate_number)
            ),
            Column(_("Certificate valid until"), lambda m: m.guard_certificate_expiry),
            Column(_("Verification"), lambda m: m.get_verification_status_display()),
            Column(_("Active"), lambda m: m.is_active),
            Column(
                _("Schools"),
                lambda m: "、".join(a.school.name for a in m.current_assignments),
            ),
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
