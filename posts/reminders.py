"""The reminders of protection posts, declared for the reminders app.

Every sweep is set-based: a handful of queries for a whole city, whatever the
number of schools (see `manage.py bench_sweeps`).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from posts.choices import MemberKind, Period, VerificationStatus
from posts.models import DutyLog, Member, MemberAssignment, PostPeriod, Shift
from posts.rosters import roster_problems
from reminders import recipients
from reminders.registry import DistrictSweep, Due, ReminderKind, register
from schools.calendar import school_days


def _period_label(code):
    return str(Period(code).label) if code in Period.values else code


def _on_school_days(periods, day):
    """Keep the post periods whose school has a school day on `day` (3 queries)."""
    days = school_days({p.post.school_id for p in periods}, day, day)
    return [p for p in periods if days.get(p.post.school_id)]


def _in_districts(periods, districts):
    """The post periods of `districts` (None: of every district)."""
    if districts is None:
        return periods
    return periods.filter(post__school__district_id__in=districts)


@register
class RosterDigest(DistrictSweep):
    """06:30 on school days: each rostered member, and the school's leaders, get today's shifts."""

    name = "roster_digest"
    label = _("Today's protection post roster")
    recipients = _(
        "Each rostered member with a phone number, by SMS; the school's principal "
        "and safety officers."
    )
    crontab = {"hour": 6, "minute": 30}

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        shifts = Shift.objects.filter(
            date=today,
            is_cancelled=False,
            post_period__post__is_active=True,
            member__is_active=True,
        )
        if districts is not None:
            # A member standing in two districts gets one message, from the part of
            # the first: with every shift of theirs, whichever district it is in. So
            # the part reads every shift of the members standing in its districts
            # (a semi-join: an OR against a grouped subquery cost a second a part).
            shifts = shifts.filter(
                member_id__in=shifts.filter(school__district_id__in=districts).values("member_id")
            )
        # Tuples, not model instances: a city's morning is some hundred thousand shifts.
        shifts = list(
            # A stable order: the same message whichever worker and plan builds it.
            shifts.order_by(
                "post_period__start_time", "post_period_id", "member__name", "member_id"
            ).values_list(
                "school_id",
                "school__district_id",
                "post_period_id",
                "member_id",
                "member__name",
                "member__phone",
                "post_period__post__school__name",
                "post_period__post__name",
                "post_period__period",
                "post_period__start_time",
                "post_period__end_time",
            )
        )
        open_today = school_days({shift[0] for shift in shifts}, today, today)
        # The leaders first: a school's listing (a copy of each of its shifts) is built
        # only where someone will read it.
        leaders = recipients.school_leaders(
            school_id
            for school_id, district_id, *_rest in shifts
            if open_today.get(school_id) and (districts is None or district_id in districts)
        )
        first_district = {}
        for shift in shifts:
            member_id, district_id = shift[3], shift[1]
            if district_id < first_district.get(member_id, district_id + 1):
                first_district[member_id] = district_id
        by_member = defaultdict(list)
        names = {}
        by_school = defaultdict(list)
        # One entry a post period, shared by its shifts: a city's morning has some
        # hundred thousand shifts and a few tens of thousands of periods.
        entries = {}
        for (
            school_id,
            district_id,
            period_id,
            member_id,
            name,
            phone,
            school,
            post,
            period,
            start,
            end,
        ) in shifts:
            if not open_today.get(school_id):
                continue
            entry = entries.get(period_id)
            if entry is None:
                entry = entries[period_id] = {
                    "school": school,
                    "post": post,
                    "period": period,
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                }
            mine = districts is None or first_district[member_id] in districts
            if phone and mine:
                by_member[member_id].append(entry)
                names[member_id] = name
            if school_id in leaders and (districts is None or district_id in districts):
                by_school[school_id].append({**entry, "member": name})
        day = today.isoformat()
        dues = [
            Due(
                self.name,
                subject=f"member:{member_id}",
                due=day,
                member_id=member_id,
                params={"date": day, "shifts": entries, "name": names[member_id]},
            )
            for member_id, entries in by_member.items()
        ]
        for school_id, entries in by_school.items():
            for user_id in leaders[school_id]:
                dues.append(
                    Due(
                        self.name,
                        subject=f"school:{school_id}",
                        due=day,
                        user_id=user_id,
                        school_id=school_id,
                        params={"date": day, "shifts": entries},
                    )
                )
        return dues

    url_params = ()

    def url(self, params):
        return reverse("posts:today")

    def body(self, params):
        lines = []
        for shift in params.get("shifts", []):
            who = f" {shift['member']}" if "member" in shift else ""
            lines.append(
                f"{shift['start']}–{shift['end']} {shift['school']} {shift['post']}"
                f" ({_period_label(shift['period'])}){who}"
            )
        return "\n".join(lines)


class _MissingLogs(DistrictSweep):
    """Post periods of today that ended `delay` ago without a duty log."""

    every_minutes = 10
    delay_setting = ""

    def missing(self, now, districts):
        local = timezone.localtime(now)
        today = local.date()
        delay = datetime.timedelta(minutes=getattr(settings, self.delay_setting))
        cutoff = (local - delay).time()
        if (local - delay).date() != today:
            return today, []
        logged = DutyLog.objects.filter(post_period=OuterRef("pk"), date=today)
        periods = list(
            _in_districts(
                PostPeriod.objects.filter(
                    is_required=True, post__is_active=True, end_time__lte=cutoff
                ),
                districts,
            )
            .exclude(Exists(logged))
            .select_related("post__school")
        )
        return today, _on_school_days(periods, today)

    def params_of(self, period, today):
        return {
            "date": today.isoformat(),
            "school": period.post.school.name,
            "post": period.post.name,
            "period": period.period,
            "end": period.end_time.strftime("%H:%M"),
        }

    def body(self, params):
        return _(
            "%(school)s, %(post)s, %(period)s: no duty log since the period ended at %(end)s."
        ) % {**params, "period": _period_label(params["period"])}

    url_params = ()

    def url(self, params):
        return reverse("posts:today")


@register
class MissingLog(_MissingLogs):
    """The school's leaders, a configurable time after a post period ended unlogged."""

    name = "missing_log"
    label = _("Duty log missing")
    recipients = _("The school's principal and safety officers.")
    delay_setting = "REMINDER_MISSING_LOG_AFTER_MINUTES"

    def sweep_districts(self, now, districts):
        today, periods = self.missing(now, districts)
        leaders = recipients.school_leaders({p.post.school_id for p in periods})
        return [
            Due(
                self.name,
                subject=f"postperiod:{period.pk}",
                due=today.isoformat(),
                user_id=user_id,
                school_id=period.post.school_id,
                params=self.params_of(period, today),
            )
            for period in periods
            for user_id in leaders.get(period.post.school_id, ())
        ]


@register
class MissingLogEscalation(_MissingLogs):
    """District staff, when the log is still missing later."""

    name = "missing_log_escalation"
    label = _("Duty log still missing")
    recipients = _("The district's education bureau staff.")
    delay_setting = "REMINDER_ESCALATE_AFTER_MINUTES"

    url_params = ()

    def url(self, params):
        return reverse("posts:coverage")

    def sweep_districts(self, now, districts):
        today, periods = self.missing(now, districts)
        staff = recipients.district_staff({p.post.school.district_id for p in periods})
        return [
            Due(
                self.name,
                subject=f"postperiod:{period.pk}",
                due=today.isoformat(),
                user_id=user_id,
                school_id=period.post.school_id,
                params=self.params_of(period, today),
            )
            for period in periods
            for user_id in staff.get(period.post.school.district_id, ())
        ]


@register
class MissedSummary(DistrictSweep):
    """At the end of the day, district staff get one summary of their district's misses."""

    name = "missed_summary"
    label = _("Missed protection posts today")
    recipients = _("The district's education bureau staff: one summary of the district.")
    crontab = {"hour": 20, "minute": 0}
    listed = 30

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        logged = DutyLog.objects.filter(post_period=OuterRef("pk"), date=today)
        periods = _on_school_days(
            list(
                _in_districts(
                    PostPeriod.objects.filter(is_required=True, post__is_active=True), districts
                )
                .exclude(Exists(logged))
                .select_related("post__school")
                .order_by("post__school__name", "start_time")
            ),
            today,
        )
        by_district = defaultdict(list)
        for period in periods:
            by_district[period.post.school.district_id].append(
                {
                    "school": period.post.school.name,
                    "post": period.post.name,
                    "period": period.period,
                }
            )
        return recipients.district_summaries(self, by_district, today, self.listed)

    url_params = ()

    def url(self, params):
        return reverse("posts:missed")

    def title(self, params):
        return (
            ngettext(
                "%(count)s protection post period missed on %(date)s",
                "%(count)s protection post periods missed on %(date)s",
                params["count"],
            )
            % params
        )

    def body(self, params):
        lines = [
            f"{m['school']} {m['post']} ({_period_label(m['period'])})" for m in params["missed"]
        ]
        hidden = params["count"] - len(lines)
        if hidden > 0:
            lines.append(str(_("… and %(count)s more") % {"count": hidden}))
        return "\n".join(lines)


@register
class RosterGaps(DistrictSweep):
    """Post periods of the next 7 days whose roster breaks the rules: to the principal."""

    name = "roster_gaps"
    label = _("Roster problems in the coming week")
    recipients = _("The school's principal.")
    crontab = {"hour": 15, "minute": 0}
    horizon = 7

    def sweep_districts(self, now, districts):
        today = timezone.localdate(now)
        problems = roster_problems(
            _in_districts(PostPeriod.objects.all(), districts),
            today + datetime.timedelta(days=1),
            today + datetime.timedelta(days=self.horizon),
        )
        by_school = defaultdict(list)
        for problem in problems:
            by_school[problem.post_period.post.school_id].append(
                {
                    "date": problem.date.isoformat(),
                    "post": problem.post_period.post.name,
                    "period": problem.post_period.period,
                    "reasons": [str(reason) for reason in problem.reasons],
                }
            )
        heads = recipients.principals(by_school)
        return [
            Due(
                self.name,
                subject=f"school:{school_id}",
                due=today.isoformat(),
                user_id=user_id,
                school_id=school_id,
                params={"problems": found},
            )
            for school_id, found in by_school.items()
            for user_id in heads.get(school_id, ())
        ]

    def body(self, params):
        return "\n".join(
            f"{p['date']} {p['post']} ({_period_label(p['period'])}): {'; '.join(p['reasons'])}"
            for p in params["problems"]
        )

    url_params = ()

    def url(self, params):
        return reverse("posts:roster")


def _verifiers(members, today):
    """{member id: [user ids]}: district staff and police liaisons of the member's schools."""
    assignments = list(
        MemberAssignment.objects.filter(
            MemberAssignment.active_on(today), member__in=members
        ).values_list("member_id", "school__district_id", "school__police_station_id")
    )
    staff = recipients.district_staff({a[1] for a in assignments})
    police = recipients.police_liaisons({a[2] for a in assignments})
    result = defaultdict(list)
    for member_id, district_id, station_id in assignments:
        for user_id in (*staff.get(district_id, ()), *police.get(station_id, ())):
            if user_id not in result[member_id]:
                result[member_id].append(user_id)
    return result


def _to_verifiers(kind, members, today, due_of, params_of) -> list[Due]:
    """One notification about each member to each of the member's verifiers."""
    verifiers = _verifiers(members, today)
    return [
        Due(
            kind,
            subject=f"member:{member.pk}",
            due=due_of(member),
            user_id=user_id,
            params={"member": member.pk, "name": member.name, **params_of(member)},
        )
        for member in members
        for user_id in verifiers.get(member.pk, ())
    ]


@register
class CertificateExpiry(ReminderKind):
    """A guard's certificate expiring within 30 days, or expired: to whoever verifies."""

    name = "certificate_expiry"
    label = _("Security guard certificate expiring")
    recipients = _("District staff and police liaisons of the guard's schools.")
    crontab = {"hour": 8, "minute": 0}
    warning_days = 30

    def sweep(self, now):
        today = timezone.localdate(now)
        guards = list(
            Member.objects.filter(
                kind=MemberKind.SECURITY_GUARD,
                is_active=True,
                verification_status=VerificationStatus.VERIFIED,
                guard_certificate_expiry__lte=today + datetime.timedelta(days=self.warning_days),
            )
        )

        def state(guard):
            return "expired" if guard.guard_certificate_expiry < today else "expiring"

        return _to_verifiers(
            self.name,
            guards,
            today,
            # Once per state of each certificate: a renewal starts afresh.
            lambda guard: f"{state(guard)}:{guard.guard_certificate_expiry.isoformat()}",
            lambda guard: {
                "state": state(guard),
                "expiry": guard.guard_certificate_expiry.isoformat(),
            },
        )

    def title(self, params):
        if params.get("state") == "expired":
            return str(_("Security guard certificate expired"))
        return str(self.label)

    def body(self, params):
        return _("%(name)s's certificate: valid until %(expiry)s.") % params

    def item_text(self, params):
        # Expiring and expired certificates share a digest: each line says which.
        return f"{self.title(params)}: {self.body(params)}"

    def url(self, params):
        return reverse("posts:member-detail", args=[params["member"]])


@register
class PendingVerification(ReminderKind):
    """A member waiting for verification for more than 3 days: to whoever verifies."""

    name = "pending_verification"
    label = _("Members waiting for verification")
    recipients = _("District staff and police liaisons of the member's schools.")
    crontab = {"hour": 8, "minute": 0}
    waiting_days = 3

    def sweep(self, now):
        today = timezone.localdate(now)
        waiting = list(
            Member.objects.filter(
                is_active=True,
                verification_status=VerificationStatus.PENDING,
                updated__lt=now - datetime.timedelta(days=self.waiting_days),
            )
        )

        def since(member):
            return timezone.localdate(member.updated).isoformat()

        return _to_verifiers(
            self.name,
            waiting,
            today,
            lambda member: f"pending:{since(member)}",
            lambda member: {"since": since(member)},
        )

    def body(self, params):
        return _("%(name)s has been waiting for verification since %(since)s.") % params

    def url(self, params):
        return reverse("posts:verify")
