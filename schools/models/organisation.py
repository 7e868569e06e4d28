"""Organisation (city, district, police station, school, gates) and the school calendar."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF, Role
from schools.choices import WEEKDAYS, ExceptionKind, GateKind, SchoolType, TermAudience
from schools.holidays import swapped_weekday
from schools.querysets import SchoolQuerySet, ScopedQuerySet

ScopedManager = ScopedQuerySet.as_manager


class TimeStampedModel(models.Model):
    """Creation and last-change times, carried by every model."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class LocatedModel(models.Model):
    """An optional WGS-84 point; both coordinates or neither."""

    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True

    @classmethod
    def location_constraints(cls, prefix):
        return [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name=f"{prefix}_location_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name=f"{prefix}_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name=f"{prefix}_longitude_range",
            ),
        ]

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))


class City(TimeStampedModel):
    """A prefecture-level city; its education bureau is the top of a user's scope."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("administrative division code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("Enter the 6-digit division code."))],
    )
    qualified_share_required = models.DecimalField(
        _("qualified share required at posts"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "The share of members on duty at a post who must be police officers, auxiliary "
            "police or certified security guards (0.80 = 80%)."
        ),
    )
    # The bureau's own policy, like the share above: how far back a school may
    # log a day it missed (补报). Earlier days are the bureau's to enter.
    late_entry_days = models.PositiveSmallIntegerField(
        _("days a school may log late"),
        default=3,
        validators=[MaxValueValidator(31)],
        help_text=_(
            "How many days back school staff may still log a missed school day (补报); "
            "before that only education bureau staff may."
        ),
    )

    objects = ScopedManager()

    scope_paths = {"city": ("pk",)}
    access = {"view": ALL_ROLES}

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualified_share_required__gte=0, qualified_share_required__lte=1),
                name="city_qualified_share_range",
            ),
        ]

    def __str__(self):
        return self.name


class District(TimeStampedModel):
    """A district (or county) of a city, with its own education bureau."""

    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("city"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("administrative division code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("Enter the 6-digit division code."))],
    )

    objects = ScopedManager()

    scope_paths = {"district": ("pk",), "city": ("city",)}
    access = {
        "view": ALL_ROLES,
        "add": {Role.CITY_STAFF},
        "change": {Role.CITY_STAFF},
        "delete": {Role.CITY_STAFF},
    }

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="district_unique_name_in_city"),
        ]

    def __str__(self):
        return self.name


class PoliceStation(TimeStampedModel):
    """A police station (派出所); each school lies in one station's jurisdiction."""

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="police_stations",
        verbose_name=_("district"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    duty_phone = models.CharField(
        _("duty phone"),
        max_length=20,
        blank=True,
        help_text=_("The station's public duty line, not a person's number."),
    )

    objects = ScopedManager()

    scope_paths = {
        "police_station": ("pk",),
        "district": ("district",),
        "city": ("district__city",),
    }
    access = {
        "view": ALL_ROLES,
        "add": BUREAU,
        "change": BUREAU,
        "delete": BUREAU,
    }

    class Meta:
        verbose_name = _("police station")
        verbose_name_plural = _("police stations")
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="policestation_unique_name_in_district"
            ),
        ]

    def __str__(self):
        return self.name


class School(TimeStampedModel, LocatedModel):
    """A school or kindergarten: the unit that posts, inspections and drills belong to."""

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("district"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    police_station = models.ForeignKey(
        PoliceStation,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("police station"),
        help_text=_("The station whose jurisdiction the school lies in."),
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("national school code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^\d{10}$", _("Enter the 10-digit national school code."))],
    )
    school_type = models.CharField(_("type"), max_length=20, choices=SchoolType)
    address = models.CharField(_("address"), max_length=200, blank=True)
    enrolment = models.PositiveIntegerField(_("pupils enrolled"), default=0)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    is_boarding = models.BooleanField(_("boarding school"), default=False)
    runs_buses = models.BooleanField(
        _("runs school buses"),
        default=False,
        help_text=_("Schools with buses must hold bus drills."),
    )
    has_police_room = models.BooleanField(_("campus police room"), default=False)
    has_protection_booth = models.BooleanField(_("protection booth"), default=False)
    legal_vice_president = models.CharField(_("legal vice-president"), max_length=50, blank=True)
    legal_vice_president_unit = models.CharField(
        _("legal vice-president's unit"), max_length=100, blank=True
    )

    objects = SchoolQuerySet.as_manager()

    scope_paths = {
        "school": ("pk",),
        "police_station": ("police_station",),
        "district": ("district",),
        "city": ("district__city",),
    }
    access = {
        "view": ALL_ROLES,
        "add": BUREAU,
        "change": BUREAU | {Role.PRINCIPAL},
        "delete": BUREAU,
    }
    # What a principal may not change about their own school.
    bureau_only_fields = ("code", "district", "police_station")

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["district", "name"]
        constraints = [
            *LocatedModel.location_constraints("school"),
            models.UniqueConstraint(fields=["district", "name"], name="school_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("schools:detail", args=[self.pk])

    @property
    def is_kindergarten(self):
        return self.school_type == SchoolType.KINDERGARTEN

    def clean(self):
        super().clean()
        if (
            self.police_station_id
            and self.district_id
            and self.police_station.district_id != self.district_id
        ):
            raise ValidationError(
                {"police_station": _("The police station must be in the school's district.")}
            )


class Gate(TimeStampedModel, LocatedModel):
    """A gate or pick-up point of a school: a named place where a post stands."""

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="gates",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=GateKind, default=GateKind.GATE)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = ScopedManager()

    scope_paths = {
        "school": ("school",),
        "police_station": ("school__police_station",),
        "district": ("school__district",),
        "city": ("school__district__city",),
    }
    access = {
        "view": ALL_ROLES,
        "add": BUREAU | SCHOOL_STAFF,
        "change": BUREAU | SCHOOL_STAFF,
        "delete": BUREAU | SCHOOL_STAFF,
    }

    class Meta:
        verbose_name = _("gate or pick-up point")
        verbose_name_plural = _("gates and pick-up points")
        ordering = ["school", "kind", "name"]
        constraints = [
            *LocatedModel.location_constraints("gate"),
            models.UniqueConstraint(fields=["school", "name"], name="gate_unique_name_in_school"),
        ]

    def __str__(self):
        return f"{self.school} · {self.name}"

    @staticmethod
    def check_same_school(obj, message=None):
        """Refuse `obj.gate` when it is a gate of another school than `obj.school`.

        Posts, checkpoints and equipment locations stand at a gate of their own
        school; their clean() asks here.
        """
        if obj.gate_id and obj.school_id and obj.gate.school_id != obj.school_id:
            raise ValidationError(
                {"gate": message or _("The gate must belong to the same school.")}
            )


class Term(TimeStampedModel):
    """A school term set by a city or a district; the days between terms are vacations."""

    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name=_("city"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name=_("district"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    audience = models.CharField(
        _("applies to"), max_length=20, choices=TermAudience, default=TermAudience.ALL
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    objects = ScopedManager()

    scope_paths = {"city": ("city", "district__city"), "district": ("district",)}
    # Everyone under a city sees the city's terms.
    shared_paths = {"district": ("city__districts",)}
    access = {"view": ALL_ROLES, "add": BUREAU, "change": BUREAU, "delete": BUREAU}

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(city__isnull=False, district__isnull=True)
                | Q(city__isnull=True, district__isnull=False),
                name="term_city_xor_district",
            ),
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")), name="term_dates_in_order"
            ),
        ]
        indexes = [
            # school_days(): the terms of some districts and cities overlapping a range.
            models.Index(fields=["district", "end_date"], name="term_district_end_idx"),
            models.Index(fields=["city", "end_date"], name="term_city_end_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.start_date} – {self.end_date})"

    def clean(self):
        super().clean()
        if bool(self.city_id) == bool(self.district_id):
            raise ValidationError(_("A term belongs to either a city or a district."))
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValidationError({"end_date": _("The last day is before the first day.")})


class CalendarException(TimeStampedModel):
    """A day that is not as the calendar says: a closure (severe weather) or an extra school day.

    It applies to a whole city, a district or a single school; the most specific wins.
    """

    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_exceptions",
        verbose_name=_("city"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_exceptions",
        verbose_name=_("district"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_exceptions",
        verbose_name=_("school"),
        # An index or unique constraint of the model starts with it and serves
        # its lookups: a second index would only slow every insert.
        db_index=False,
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExceptionKind)
    reason = models.CharField(_("reason"), max_length=200)
    # An official make-up working day on a weekend runs as the weekday it swaps
    # with: the roster's weekly pattern of that weekday applies.
    follows_weekday = models.PositiveSmallIntegerField(
        _("follows the weekday"),
        choices=WEEKDAYS,
        null=True,
        blank=True,
        help_text=_(
            "On a make-up school day, the weekday whose timetable and rosters it follows. "
            "Left empty on an official make-up working day, it is the weekday the State "
            "Council notice swaps with it, when the published calendar tells it."
        ),
    )

    objects = ScopedManager()

    scope_paths = {
        "school": ("school",),
        "police_station": ("school__police_station",),
        "district": ("district", "school__district"),
        "city": ("city", "district__city", "school__district__city"),
    }
    # A closure of the whole city or district applies to every school in it.
    shared_paths = {
        "school": ("district__schools", "city__districts__schools"),
        "police_station": ("district__police_stations", "city__districts__police_stations"),
        "district": ("city__districts",),
    }
    access = {"view": ALL_ROLES, "add": BUREAU, "change": BUREAU, "delete": BUREAU}

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(city__isnull=False, district__isnull=True, school__isnull=True)
                    | Q(city__isnull=True, district__isnull=False, school__isnull=True)
                    | Q(city__isnull=True, district__isnull=True, school__isnull=False)
                ),
                name="calendarexception_one_scope",
            ),
            models.UniqueConstraint(fields=["city", "date"], name="calendarexception_city_day"),
            models.UniqueConstraint(
                fields=["district", "date"], name="calendarexception_district_day"
            ),
            models.UniqueConstraint(fields=["school", "date"], name="calendarexception_school_day"),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}: {self.reason}"

    def save(self, *args, **kwargs):
        # Saved here, not in clean(), so that the form, the API and the admin all
        # get the default.
        if self.kind == ExceptionKind.OPEN and self.follows_weekday is None and self.date:
            self.follows_weekday = swapped_weekday(self.date)
        super().save(*args, **kwargs)

    @property
    def applies_to(self):
        return self.school or self.district or self.city

    def clean(self):
        super().clean()
        if sum(bool(x) for x in (self.city_id, self.district_id, self.school_id)) != 1:
            raise ValidationError(
                _("An exception applies to exactly one of a city, a district or a school.")
            )
        if self.kind != ExceptionKind.OPEN and self.follows_weekday is not None:
            raise ValidationError(
                {"follows_weekday": _("Only an extra school day follows another weekday.")}
            )
