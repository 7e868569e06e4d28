"""The daily duty log of each post period, and the daily coverage it adds up to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF
from campussafety.uploads import ProtectedImageField
from posts.choices import CoverageStatus, Period, Weather
from posts.models.members import SCHOOL_PATHS
from posts.models.posts import prefixed
from posts.rules import Staffing, staffing_checks
from schools.models import TimeStampedModel
from schools.querysets import ScopedQuerySet


class DutyLog(TimeStampedModel):
    """What happened at one post period on one day: who stood, when, and what they saw.

    The staffing figures are worked out when the log is saved, from the members
    present and their qualification on that day, and kept: a certificate renewed
    or a verification withdrawn later does not rewrite the past.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="duty_logs",
        verbose_name=_("school"),
        # The (school, date) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    post_period = models.ForeignKey(
        "posts.PostPeriod",
        on_delete=models.PROTECT,
        related_name="duty_logs",
        verbose_name=_("post period"),
        # The unique (post period, date) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    date = models.DateField(_("date"))
    period = models.CharField(_("period"), max_length=10, choices=Period)
    actual_start = models.TimeField(_("started at"), null=True, blank=True)
    actual_end = models.TimeField(_("ended at"), null=True, blank=True)
    illegal_parking = models.PositiveSmallIntegerField(_("illegal parking"), default=0)
    wrong_way_driving = models.PositiveSmallIntegerField(_("wrong-way driving"), default=0)
    electric_tricycles = models.PositiveSmallIntegerField(
        _("electric tricycles picking up pupils"), default=0
    )
    farm_vehicles = models.PositiveSmallIntegerField(
        _("farm vehicles picking up pupils"), default=0
    )
    other_traffic = models.PositiveSmallIntegerField(_("other traffic violations"), default=0)
    incidents = models.TextField(_("incidents"), blank=True)
    weather = models.CharField(_("weather"), max_length=10, choices=Weather, blank=True)
    photo = ProtectedImageField(_("photo"), upload_to="duty-logs/%Y/%m/", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Logged after its day (补报): submitted_by and created say who and when.
    is_late = models.BooleanField(_("late entry"), default=False)
    present_count = models.PositiveSmallIntegerField(_("members present"), default=0)
    police_count = models.PositiveSmallIntegerField(_("police officers present"), default=0)
    qualified_count = models.PositiveSmallIntegerField(_("qualified members present"), default=0)
    meets_staffing = models.BooleanField(_("minimum staffing met"), default=False)
    meets_qualified_share = models.BooleanField(_("qualified share met"), default=False)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned at"), null=True, blank=True)
    countersign_remark = models.CharField(_("police remark"), max_length=200, blank=True)
    # Returned by the police liaison with a reason: the school fixes the log and
    # saves it again, which clears these (the revision keeps the reason).
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {
        "view": ALL_ROLES,
        "add": SCHOOL_STAFF | BUREAU,
        "change": SCHOOL_STAFF | BUREAU,
        "delete": BUREAU,
        "countersign": {Role.POLICE_LIAISON},
    }

    class Meta:
        verbose_name = _("duty log")
        verbose_name_plural = _("duty logs")
        # By columns, not by the related models' own orderings, which would join
        # and sort every log of a city to show a first page.
        ordering = ["-date", "school_id", "post_period_id"]
        constraints = [
            # Two phones submitting the same post period at once make one log.
            models.UniqueConstraint(
                fields=["post_period", "date"], name="dutylog_one_per_post_period_day"
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="dutylog_times_in_order",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | ~Q(return_reason=""),
                name="dutylog_return_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(qualified_count__lte=F("present_count"))
                & Q(police_count__lte=F("present_count")),
                name="dutylog_counts_consistent",
            ),
        ]
        indexes = [
            # Coverage and the lists of a school's or a district's logs by day.
            models.Index(fields=["school", "date"], name="dutylog_school_date_idx"),
            models.Index(fields=["date"], name="dutylog_date_idx"),
            # The understaffed list only reads logs that failed a rule.
            models.Index(
                fields=["date"],
                condition=Q(meets_staffing=False) | Q(meets_qualified_share=False),
                name="dutylog_understaffed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.post_period}"

    @property
    def is_compliant(self):
        return self.meets_staffing and self.meets_qualified_share

    @property
    def qualified_share(self):
        return self.qualified_count / self.present_count if self.present_count else None

    @property
    def staffing(self) -> Staffing:
        """The figures kept on the log against its post period's minimums and the city's share.

        Reads school__district__city and post_period: select them with the log.
        """
        return Staffing(
            present=self.present_count,
            police=self.police_count,
            qualified=self.qualified_count,
            min_members=self.post_period.min_members,
            min_police=self.post_period.min_police,
            share_required=self.school.district.city.qualified_share_required,
        )

    @property
    def checks(self):
        return staffing_checks(self.staffing)

    @property
    def failing_checks(self):
        return [check for check in self.checks if not check.passed]

    @property
    def is_countersigned(self):
        return self.countersigned_at is not None

    @property
    def is_returned(self):
        """Sent back to the school by the police liaison, and not fixed yet."""
        return self.returned_at is not None and not self.is_countersigned

    def clean(self):
        super().clean()
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            raise ValidationError({"actual_end": _("The end is before the start.")})


class DutyAttendance(models.Model):
    """A member on a duty log: rostered or a walk-in, present or not, as qualified on the day."""

    log = models.ForeignKey(
        DutyLog,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("duty log"),
        # The unique (log, member) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    member = models.ForeignKey(
        "posts.Member",
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("member"),
    )
    was_rostered = models.BooleanField(_("rostered"), default=False)
    present = models.BooleanField(_("present"), default=True)
    is_police = models.BooleanField(_("police officer"), default=False)
    is_qualified = models.BooleanField(_("qualified on the day"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["log", "member"], name="dutyattendance_once_per_log"),
        ]

    def __str__(self):
        return f"{self.member} · {self.log}"


class DutyLogRevision(models.Model):
    """The state of a duty log (with its attendance) before one edit, who made it and why."""

    log = models.ForeignKey(
        DutyLog, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("duty log")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    before = models.JSONField(_("before"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = prefixed(SCHOOL_PATHS, "log")
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("duty log revision")
        verbose_name_plural = _("duty log revisions")
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.log} · {self.changed_at:%Y-%m-%d %H:%M}"


class DailyCoverage(models.Model):
    """A school's coverage on a day with at least one duty log, kept up to date as logs are saved.

    `required` is the number of required post periods, `logged` how many have
    a log and `compliant` how many of those met staffing and the qualified
    share (posts.rules.coverage_status words the status). A school day without
    a row had no log at all: it was missed. Rates over months and thousands of
    schools count these rows in the database instead of grouping every log.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="daily_coverage",
        verbose_name=_("school"),
        # The unique (school, date) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    date = models.DateField(_("date"))
    required = models.PositiveSmallIntegerField(_("required post periods"))
    logged = models.PositiveSmallIntegerField(_("logged post periods"))
    compliant = models.PositiveSmallIntegerField(_("compliant post periods"))
    status = models.CharField(_("status"), max_length=10, choices=CoverageStatus)
    # Figures over all of the day's logs, kept here so that rates over a year
    # and a city read these rows and never group the logs themselves.
    logs = models.PositiveSmallIntegerField(_("duty logs"), default=0)
    understaffed_logs = models.PositiveSmallIntegerField(_("understaffed logs"), default=0)
    # Entered after their day (补报): district staff see them as such in coverage.
    late_logs = models.PositiveSmallIntegerField(_("late entries"), default=0)
    present = models.PositiveIntegerField(_("members present"), default=0)
    qualified = models.PositiveIntegerField(_("qualified members present"), default=0)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("daily coverage")
        verbose_name_plural = _("daily coverage")
        ordering = ["date", "school"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="dailycoverage_school_day"),
            models.CheckConstraint(
                condition=Q(compliant__lte=F("logged")), name="dailycoverage_counts_consistent"
            ),
            models.CheckConstraint(
                condition=Q(understaffed_logs__lte=F("logs"), qualified__lte=F("present")),
                name="dailycoverage_log_figures_consistent",
            ),
        ]
        indexes = [
            # Rates of a district or city over a date range.
            models.Index(fields=["date", "school"], name="dailycoverage_date_idx"),
        ]

    def __str__(self):
        return f"{self.school} {self.date}: {self.get_status_display()}"
