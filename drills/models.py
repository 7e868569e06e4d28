"""Drill requirements as data, emergency plans, drills with their class headcounts, training.

When a drill is due is not decided here: each DrillRequirement points at an
ObligationRule (schools/models/obligations.py) that says how often, at which
schools and with what overrides; schools/obligations.py works out the windows
and drills/services.py records a signed-off drill against them.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, SCHOOL_STAFF, Role
from campussafety.uploads import ProtectedFileField
from drills.choices import (
    ALARM_TYPES,
    DOMAIN,
    NIGHT_ENDS,
    NIGHT_STARTS,
    DrillStatus,
    DrillType,
    PlanType,
    TrainingAudience,
    default_evacuation_target,
)
from drills.querysets import ClassHeadcountQuerySet, DrillQuerySet
from schools.choices import PERIOD_BASES
from schools.models import ObligationRule, TimeStampedModel
from schools.models.obligations import CITY_STAFF_EDIT, SCHOOL_PATHS, ChoiceListValidator
from schools.querysets import CityOrNationalQuerySet, ScopedQuerySet

SCHOOL_RECORDS = {
    "view": ALL_ROLES,
    "add": SCHOOL_STAFF,
    "change": SCHOOL_STAFF,
    "delete": SCHOOL_STAFF,
}


def _headcount_secret():
    return secrets.token_urlsafe(16)


class DrillRequirement(TimeStampedModel):
    """Which drill types satisfy a recurring obligation, and whether they must be held at night.

    Schools it applies to (type, boarding, buses), the count per period and the
    source live in the obligation rule, with the city's replacements and its
    district and school overrides.
    """

    obligation = models.OneToOneField(
        "schools.ObligationRule",
        on_delete=models.CASCADE,
        related_name="drill_requirement",
        verbose_name=_("obligation rule"),
    )
    drill_types = models.JSONField(
        _("drill types that count"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator("drills.choices.DrillType")],
        help_text=_("Empty: a drill of any type counts."),
    )
    at_night = models.BooleanField(
        _("must be held at night"),
        default=False,
        help_text=_("Only a drill started between 19:00 and 06:00 counts."),
    )

    objects = CityOrNationalQuerySet.as_manager()

    city_path = "obligation__city"
    scope_paths = {"city": ("obligation__city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("drill requirement")
        verbose_name_plural = _("drill requirements")
        ordering = ["obligation__code"]

    def __str__(self):
        return str(self.obligation)

    def clean(self):
        """What a drill requirement's obligation must be, whoever writes it (the pages'
        RequirementForm, the API's serializer, the admin): a drills rule recurring by a
        period, whose code, for a city's rule, replaces a national drill requirement or
        no national rule at all."""
        super().clean()
        rule = getattr(self, "obligation", None)
        if rule is None:
            return
        if rule.domain != DOMAIN:
            raise ValidationError(_("A drill requirement's obligation is one the drills declare."))
        errors = {}
        if rule.basis and rule.basis not in PERIOD_BASES:
            errors["basis"] = _("Drills are owed by month, quarter, term or year.")
        if rule.code:
            # Said here, not left to the constraints: a conditional unique constraint
            # names itself, not the field, when it refuses.
            same = ObligationRule.objects.filter(city=rule.city_id, code=rule.code)
            if same.exclude(pk=rule.pk).exists():
                errors["code"] = _("A rule with this code exists there already.")
        # A city's rule takes the place of the national rule with its code
        # (schools.obligations.rules_for_cities): a training rule or another app's
        # rule must not be replaced by a drill requirement.
        if rule.city_id and rule.code and "code" not in errors:
            other = (
                ObligationRule.objects.filter(city=None, code=rule.code)
                .exclude(domain=DOMAIN, drill_requirement__isnull=False)
                .exists()
            )
            if other:
                errors["code"] = _(
                    "This code is a national rule of another kind: choose another code."
                )
        if errors:
            raise ValidationError(errors)

    def is_satisfied_by(self, drill) -> bool:
        """Does this drill (held, with its start time) count towards the requirement?"""
        if self.drill_types and drill.drill_type not in self.drill_types:
            return False
        if self.at_night:
            started = timezone.localtime(drill.started_at).time()
            return started >= NIGHT_STARTS or started < NIGHT_ENDS
        return True


class EmergencyPlan(TimeStampedModel):
    """One version of a school's emergency plan (应急预案) of one type, with its review date."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="emergency_plans",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    plan_type = models.CharField(_("type"), max_length=20, choices=PlanType)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    document = ProtectedFileField(_("document"), upload_to="emergency-plans/%Y/")
    approved_on = models.DateField(_("approved on"))
    revision_due = models.DateField(_("review due by"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = SCHOOL_RECORDS

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["school", "plan_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "plan_type", "version"], name="emergencyplan_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="emergencyplan_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(revision_due__gt=F("approved_on")),
                name="emergencyplan_review_after_approval",
            ),
        ]

    def __str__(self):
        return f"{self.school} · {self.get_plan_type_display()} v{self.version}"


class Drill(TimeStampedModel):
    """A drill from its plan to the principal's sign-off, with what happened and what was found.

    Times are the server's (drills/services.py), so a phone's clock cannot
    move a drill into another period.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="drills",
        verbose_name=_("school"),
        # The (school, planned at) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    drill_type = models.CharField(_("type"), max_length=20, choices=DrillType)
    status = models.CharField(
        _("status"), max_length=10, choices=DrillStatus, default=DrillStatus.PLANNED
    )
    planned_at = models.DateTimeField(_("planned for"))
    started_at = models.DateTimeField(_("signal given at"), null=True, blank=True)
    all_clear_at = models.DateTimeField(_("all clear at"), null=True, blank=True)
    commander = models.CharField(_("commander"), max_length=50)
    scenario = models.TextField(_("scenario"), blank=True)
    announced = models.BooleanField(
        _("announced"), default=True, help_text=_("Pupils and staff knew the time beforehand.")
    )
    target_seconds = models.PositiveIntegerField(
        _("target evacuation time (seconds)"),
        blank=True,
        help_text=_("Empty: the default for the school's type (120 s secondary, 180 s others)."),
    )
    evacuation_seconds = models.PositiveIntegerField(
        _("evacuation time (seconds)"), null=True, blank=True
    )
    routes_used = models.TextField(_("routes used"), blank=True)
    blocked_exits = models.TextField(_("blocked exits"), blank=True)
    alarm_audible = models.BooleanField(_("alarm audible everywhere"), null=True, blank=True)
    police_arrived_at = models.DateTimeField(_("police arrived at"), null=True, blank=True)
    injuries = models.TextField(_("injuries"), blank=True)
    problems_found = models.TextField(
        _("problems found"),
        blank=True,
        help_text=_("One problem a line; each can be opened as a hazard in the ledger."),
    )
    evaluation_score = models.PositiveSmallIntegerField(
        _("evaluation score"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("0 to 100."),
    )
    evaluation = models.TextField(_("evaluation"), blank=True)
    plan_must_be_revised = models.BooleanField(_("emergency plan must be revised"), default=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    # The police station's pre-notification of an alarm drill, and its liaison's acknowledgement.
    prenotified_at = models.DateTimeField(_("police notified at"), null=True, blank=True)
    prenotified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("police notified by"),
    )
    prenotice_acknowledged_at = models.DateTimeField(
        _("acknowledged by the police at"), null=True, blank=True
    )
    prenotice_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    # Part of every shared headcount link: a new secret revokes the links given out.
    headcount_secret = models.CharField(max_length=32, default=_headcount_secret, editable=False)

    objects = DrillQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {
        **SCHOOL_RECORDS,
        "sign_off": {Role.PRINCIPAL},
        # The liaison of the school's police station acknowledges a pre-notification.
        "acknowledge": {Role.POLICE_LIAISON},
    }

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-planned_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(all_clear_at__isnull=True)
                | Q(started_at__isnull=False, all_clear_at__gte=F("started_at")),
                name="drill_all_clear_after_signal",
            ),
            models.CheckConstraint(
                condition=Q(evaluation_score__isnull=True) | Q(evaluation_score__lte=100),
                name="drill_score_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(status=DrillStatus.PLANNED, started_at__isnull=True)
                | Q(status=DrillStatus.RUNNING, started_at__isnull=False, all_clear_at__isnull=True)
                | Q(
                    status__in=[DrillStatus.HELD, DrillStatus.EVALUATED], all_clear_at__isnull=False
                )
                | Q(
                    status=DrillStatus.CLOSED,
                    all_clear_at__isnull=False,
                    signed_off_at__isnull=False,
                ),
                name="drill_times_match_status",
            ),
            models.CheckConstraint(
                condition=Q(prenotice_acknowledged_at__isnull=True)
                | Q(prenotified_at__isnull=False),
                name="drill_acknowledged_after_notice",
            ),
        ]
        indexes = [
            # A school's drills of a term, newest first (the calendar and the term's records).
            models.Index(fields=["school", "-planned_at"], name="drill_school_planned_idx"),
        ]

    def __str__(self):
        return f"{self.school} · {self.get_drill_type_display()} · {self.planned_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.target_seconds is None:
            self.target_seconds = default_evacuation_target(self.school.school_type)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.police_arrived_at and self.drill_type not in ALARM_TYPES:
            raise ValidationError(
                {"police_arrived_at": _("Police arrival is timed for alarm drills only.")}
            )
        if self.police_arrived_at and self.started_at and self.police_arrived_at < self.started_at:
            raise ValidationError(
                {"police_arrived_at": _("The police cannot arrive before the signal.")}
            )

    @property
    def met_target(self) -> bool | None:
        if self.evacuation_seconds is None:
            return None
        return self.evacuation_seconds <= self.target_seconds

    @property
    def police_minutes(self) -> float | None:
        if not (self.police_arrived_at and self.started_at):
            return None
        return round((self.police_arrived_at - self.started_at).total_seconds() / 60, 1)


class ClassHeadcount(models.Model):
    """One class's count at the assembly point, as its teacher reported it (latest report wins)."""

    drill = models.ForeignKey(
        Drill,
        on_delete=models.CASCADE,
        related_name="headcounts",
        verbose_name=_("drill"),
        # The unique (drill, class) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    class_name = models.CharField(_("class"), max_length=50)
    teacher_name = models.CharField(_("class teacher"), max_length=50)
    expected = models.PositiveSmallIntegerField(_("expected"))
    arrived = models.PositiveSmallIntegerField(_("arrived"))
    missing = models.PositiveSmallIntegerField(_("missing"))
    reported_at = models.DateTimeField(_("reported at"))
    # The id the teacher's phone gave the report it holds until the server has it:
    # the phone forgets its copy once a reply echoes this id.
    report_id = models.UUIDField(_("report id"), null=True, blank=True)

    objects = ClassHeadcountQuerySet.as_manager()

    scope_paths = {level: (f"drill__{path}",) for level, (path,) in SCHOOL_PATHS.items()}
    access = SCHOOL_RECORDS

    class Meta:
        verbose_name = _("class headcount")
        verbose_name_plural = _("class headcounts")
        ordering = ["drill", "class_name"]
        constraints = [
            # A re-sent report updates the class's row instead of adding one.
            models.UniqueConstraint(fields=["drill", "class_name"], name="classheadcount_once"),
            models.CheckConstraint(
                condition=Q(arrived__lte=F("expected")), name="classheadcount_arrived_le_expected"
            ),
            models.CheckConstraint(
                condition=Q(missing=F("expected") - F("arrived")),
                name="classheadcount_missing_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.class_name}: {self.arrived}/{self.expected}"


class TrainingSession(TimeStampedModel):
    """A training session at a school: guards each term, staff fire safety each year."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="training_sessions",
        verbose_name=_("school"),
    )
    audience = models.CharField(_("for"), max_length=10, choices=TrainingAudience)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    attendees_count = models.PositiveSmallIntegerField(_("attendees"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = SCHOOL_RECORDS

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendees_count__gte=1), name="trainingsession_attendees_positive"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="trainingsession_hours_positive"),
        ]

    def __str__(self):
        return f"{self.school} · {self.topic} · {self.held_on}"


# Attendees of training sessions live beside (the registry link explained there).
from drills.models_training import TrainingAttendee  # noqa: E402, F401
