"""Recurring obligations: rules as data, their overrides, completions, excuses and window summaries.

A domain app (inspections, drills, equipment) declares what schools must do
again and again as an ObligationRule row, and tells schools/obligations.py each
time something satisfying it is recorded. The app owns the record (a round, a
drill); this module only keeps which window it satisfied. See
schools/obligations.py for the windows, statuses and rates.
"""

import datetime
import re
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, BUREAU, Role, edited_by
from schools.choices import Basis, Boarding, WindowStatus
from schools.models.organisation import TimeStampedModel
from schools.querysets import CityOrNationalQuerySet, ScopedQuerySet

# How a row that belongs to one school reaches each level of a user's scope.
SCHOOL_PATHS = {
    "school": ("school",),
    "police_station": ("school__police_station",),
    "district": ("school__district",),
    "city": ("school__district__city",),
}

# Rules as data: everyone reads them, city staff edit their city's.
CITY_STAFF_EDIT = edited_by({Role.CITY_STAFF})

SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_slots(text: str) -> tuple[tuple[datetime.time, datetime.time], ...]:
    """ "07:00-09:00, 21:00-06:00" → ((07:00, 09:00), (21:00, 06:00)).

    An end at or before its start runs into the next day (a night patrol).
    Raises ValidationError on anything else, so the admin form shows it.
    """
    slots = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = SLOT.match(part)
        if not match:
            raise ValidationError(
                _("Write time slots as HH:MM-HH:MM, separated by commas: %(part)s")
                % {"part": part.strip()}
            )
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValidationError(_("Not a time of day: %(part)s") % {"part": part.strip()})
        end = datetime.time(0, 0) if h2 == 24 else datetime.time(h2, m2)
        slots.append((datetime.time(h1, m1), end))
    return tuple(slots)


def validate_slots(text):
    parse_slots(text)


@deconstructible
class ChoiceListValidator:
    """A JSON list whose items are all values of one TextChoices (school types, size bands)."""

    def __init__(self, choices_path: str):
        self.choices_path = choices_path

    def __call__(self, value):
        module, name = self.choices_path.rsplit(".", 1)
        choices = getattr(import_module(module), name)
        if not isinstance(value, list) or any(item not in choices.values for item in value):
            raise ValidationError(
                _("Choose from: %(choices)s") % {"choices": ", ".join(choices.values)}
            )

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and other.choices_path == self.choices_path


class ObligationRule(TimeStampedModel):
    """Something schools must do in every window of a calendar basis, and where the rule comes from.

    A rule without a city is a national default; a city's rule with the same
    code takes its place for that city's schools, and ObligationOverride
    changes it for one district or school. `slots` split a day (or a night)
    into several windows, each needing `required_count` completions; a period
    basis (month, quarter, term, year) has one window per period. A completion
    after a window's end but within `grace` makes it late, not missed.
    """

    city = models.ForeignKey(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="obligation_rules",
        verbose_name=_("city"),
        help_text=_("Empty for a national default; a city's rule with the same code replaces it."),
    )
    domain = models.CharField(
        _("declared by"),
        max_length=30,
        help_text=_("The app whose records satisfy this obligation (inspections, drills, ...)."),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(_("recurs"), max_length=20, choices=Basis)
    slots = models.CharField(
        _("time slots"),
        max_length=200,
        blank=True,
        validators=[validate_slots],
        help_text=_(
            "For daily and nightly bases: one window per slot, e.g. "
            "07:00-08:30, 10:00-11:00. Empty: one window for the whole day."
        ),
    )
    required_count = models.PositiveSmallIntegerField(
        _("required per window"), default=1, help_text=_("How many times in each window.")
    )
    grace = models.DurationField(
        _("grace period"),
        default=datetime.timedelta(0),
        help_text=_("Done this long after a window's end counts as late instead of missed."),
    )
    even_without_school_days = models.BooleanField(
        _("due even without school days"),
        default=False,
        help_text=_(
            "For months, quarters, terms and years: by default a period without a single "
            "school day (the summer vacation) asks for nothing."
        ),
    )
    school_types = models.JSONField(
        _("school types"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator("schools.choices.SchoolType")],
        help_text=_("Empty: every type."),
    )
    size_bands = models.JSONField(
        _("size bands"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator("schools.choices.SizeBand")],
        help_text=_("Empty: every size."),
    )
    boarding = models.CharField(
        _("boarding"), max_length=10, choices=Boarding, default=Boarding.ANY
    )
    buses_only = models.BooleanField(
        _("schools with buses only"),
        default=False,
        help_text=_("Applies only to schools that run school buses."),
    )
    source = models.TextField(_("source"), help_text=_("The regulation or standard it follows."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = CityOrNationalQuerySet.as_manager()

    scope_paths = {"city": ("city",)}
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("obligation rule")
        verbose_name_plural = _("obligation rules")
        ordering = ["domain", "code", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "code"],
                condition=Q(city__isnull=False),
                name="obligationrule_code_per_city",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(city__isnull=True), name="obligationrule_national_code"
            ),
            models.CheckConstraint(
                condition=Q(required_count__gte=1), name="obligationrule_required_positive"
            ),
            models.CheckConstraint(
                condition=Q(grace__gte=datetime.timedelta(0)),
                name="obligationrule_grace_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from schools.choices import PERIOD_BASES

        if self.basis in PERIOD_BASES and self.slots:
            raise ValidationError({"slots": _("Time slots apply to daily and nightly bases only.")})


class ObligationOverride(TimeStampedModel):
    """A city's change to a rule for one district or one school: on or off, count, grace, slots.

    Empty fields inherit; a school's override wins over its district's.
    """

    rule = models.ForeignKey(
        ObligationRule,
        on_delete=models.CASCADE,
        related_name="overrides",
        verbose_name=_("obligation rule"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    applies = models.BooleanField(
        _("applies"),
        null=True,
        blank=True,
        help_text=_("Yes or no to force the rule on or off; empty to follow the rule."),
    )
    required_count = models.PositiveSmallIntegerField(
        _("required per window"), null=True, blank=True
    )
    grace = models.DurationField(_("grace period"), null=True, blank=True)
    slots = models.CharField(
        _("time slots"), max_length=200, blank=True, validators=[validate_slots]
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {
        "school": ("school",),
        "police_station": ("school__police_station",),
        "district": ("district", "school__district"),
        "city": ("district__city", "school__district__city"),
    }
    access = CITY_STAFF_EDIT

    class Meta:
        verbose_name = _("obligation override")
        verbose_name_plural = _("obligation overrides")
        constraints = [
            models.CheckConstraint(
                condition=Q(district__isnull=False, school__isnull=True)
                | Q(district__isnull=True, school__isnull=False),
                name="obligationoverride_district_xor_school",
            ),
            models.UniqueConstraint(
                fields=["rule", "district"], name="obligationoverride_once_per_district"
            ),
            models.UniqueConstraint(
                fields=["rule", "school"], name="obligationoverride_once_per_school"
            ),
            models.CheckConstraint(
                condition=Q(required_count__isnull=True) | Q(required_count__gte=1),
                name="obligationoverride_required_positive",
            ),
        ]

    def __str__(self):
        return f"{self.rule} · {self.school or self.district}"

    def clean(self):
        super().clean()
        if bool(self.district_id) == bool(self.school_id):
            raise ValidationError(_("An override applies to either a district or a school."))


class ObligationCompletion(models.Model):
    """One record (a round, a drill) that counted towards a window, named by its source.

    `source` ("inspections.round:42") makes recording idempotent: the same
    record told twice is one completion.
    """

    rule = models.ForeignKey(
        ObligationRule,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("obligation rule"),
        # The unique (rule, source) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="obligation_completions",
        verbose_name=_("school"),
    )
    source = models.CharField(_("source record"), max_length=100)
    occurred_at = models.DateTimeField(_("done at"))
    window_start = models.DateTimeField(_("window start"))
    is_late = models.BooleanField(_("late"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("obligation completion")
        verbose_name_plural = _("obligation completions")
        ordering = ["occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "source"], name="obligationcompletion_once"),
        ]
        indexes = [
            # The recount of one window as a completion is recorded or withdrawn.
            models.Index(
                fields=["rule", "school", "window_start"], name="obligcompletion_window_idx"
            ),
        ]

    def __str__(self):
        return f"{self.rule} · {self.school_id} · {self.occurred_at:%Y-%m-%d %H:%M}"


class ObligationWindow(models.Model):
    """A school's due window of a rule, kept current on each write.

    A row exists for every window that has a completion or an excuse, and for
    every window of the dates an ObligationCoverage row says are materialised
    (schools/obligation_rates.py), whether anything was done in it or not.
    Windows without a row are upcoming, open or missed, which
    schools/obligations.py works out from the calendar and the time. Rates
    over a year and a city count these rows in the database, numerators and
    denominators alike, instead of the records or the calendar behind them.
    """

    rule = models.ForeignKey(
        ObligationRule,
        on_delete=models.CASCADE,
        related_name="windows",
        verbose_name=_("obligation rule"),
        # The unique (rule, school, window start) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="obligation_windows",
        verbose_name=_("school"),
    )
    date = models.DateField(_("date"), help_text=_("The window's first day."))
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    # The end plus the grace period when the row was written: rates tell
    # windows still open from those due without looking up each one's rule.
    due_at = models.DateTimeField(_("due by"))
    required = models.PositiveSmallIntegerField(_("required"))
    completions = models.PositiveSmallIntegerField(_("completions"), default=0)
    on_time = models.PositiveSmallIntegerField(_("on time"), default=0)
    satisfied_at = models.DateTimeField(_("satisfied at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=[
            (status.value, status.label)
            for status in (WindowStatus.DONE, WindowStatus.LATE, WindowStatus.PARTIAL)
        ],
        default=WindowStatus.PARTIAL,
    )
    excused = models.BooleanField(_("excused"), default=False)
    # False once the calendar or the rules no longer ask for this window (a
    # closure entered afterwards) while completions still point at it: kept
    # for them, left out of the rates.
    planned = models.BooleanField(_("still due"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("obligation window")
        verbose_name_plural = _("obligation windows")
        ordering = ["window_start", "school_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "school", "window_start"], name="obligationwindow_once"
            ),
            models.CheckConstraint(
                condition=Q(on_time__lte=F("completions")),
                name="obligationwindow_counts_consistent",
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")),
                name="obligationwindow_times_in_order",
            ),
        ]
        indexes = [
            # Rates of a district or city over a date range.
            models.Index(fields=["date", "school"], name="obligwindow_date_idx"),
            # The windows overlapping a recent range (a month, the sweeps' two
            # days) among a year's materialised ones: those ending after its start.
            models.Index(fields=["window_end"], name="obligwindow_end_idx"),
        ]

    def __str__(self):
        return f"{self.rule} · {self.school_id} · {self.window_start:%Y-%m-%d %H:%M}"


class ObligationExcuse(models.Model):
    """Bureau staff excused a school's window (a closure, works on a building): who, when, why."""

    rule = models.ForeignKey(
        ObligationRule,
        on_delete=models.CASCADE,
        related_name="excuses",
        verbose_name=_("obligation rule"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="obligation_excuses",
        verbose_name=_("school"),
    )
    window_start = models.DateTimeField(_("window start"))
    reason = models.CharField(_("reason"), max_length=200)
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("excused by"),
    )
    excused_at = models.DateTimeField(_("excused at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = {"view": ALL_ROLES, "add": BUREAU, "delete": BUREAU}

    class Meta:
        verbose_name = _("excused window")
        verbose_name_plural = _("excused windows")
        ordering = ["-window_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "school", "window_start"], name="obligationexcuse_once"
            ),
        ]

    def __str__(self):
        return f"{self.rule} · {self.school_id} · {self.window_start:%Y-%m-%d %H:%M}: {self.reason}"


class ObligationCoverage(models.Model):
    """The dates [first, last] over which every due window of a school has its ObligationWindow row.

    Written by schools/obligation_rates.py when it materialises windows, and
    deleted whenever what decides the windows changes (the calendar, the
    rules, their overrides, the school's facts), so that the next read
    materialises them again.
    """

    school = models.OneToOneField(
        "schools.School",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="obligation_coverage",
        verbose_name=_("school"),
    )
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("materialised windows")
        verbose_name_plural = _("materialised windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(last__gte=F("first")), name="obligationcoverage_dates_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.school_id}: {self.first} – {self.last}"
