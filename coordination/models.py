"""Security meetings (联席会议): the meeting, its attendees, attachments, decisions and
action items with their evidence. The register (models_register.py) and the legal
vice-presidents (models_legal.py) are beside it.

Who sees a meeting follows its level: a city meeting its city's staff and the
districts it names; a district meeting its district (and city); a school meeting
the school, its district and its police liaison. Every meeting is also seen by the
schools it concerns. Those views are `shared_paths` (view only): only the unit
that holds a meeting changes it and its action items; the owner of an action item
marks it done by adding its evidence (ActionEvidence), which is scoped to the owner.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF
from campussafety.uploads import ProtectedFileField, ProtectedImageField
from coordination.choices import ItemStatus, Level
from coordination.querysets import ActionItemQuerySet, MeetingQuerySet
from schools.models import TimeStampedModel
from schools.querysets import ScopedQuerySet

# The units that hold meetings: the bureaus and the schools.
ORGANISERS = BUREAU | SCHOOL_STAFF
ORGANISER_ACCESS = {
    "view": ALL_ROLES,
    "add": ORGANISERS,
    "change": ORGANISERS,
    "delete": ORGANISERS,
}


class Meeting(TimeStampedModel):
    """A campus-security meeting held at a level by its unit (city, district or school)."""

    level = models.CharField(_("level"), max_length=10, choices=Level)
    # The holding unit: a city meeting names its city, a district meeting its district,
    # a school meeting its school; the wider units are filled in from it (save()).
    city = models.ForeignKey(
        "schools.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, max_length=5000)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    schools = models.ManyToManyField(
        "schools.School",
        blank=True,
        related_name="security_meetings",
        verbose_name=_("schools concerned"),
    )
    named_districts = models.ManyToManyField(
        "schools.District",
        blank=True,
        related_name="security_meetings",
        verbose_name=_("districts named"),
        help_text=_("A city meeting is seen by the districts it names."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = MeetingQuerySet.as_manager()

    scope_paths = {
        "school": ("school",),
        "police_station": ("school__police_station",),
        "district": ("district",),
        "city": ("city",),
    }
    shared_paths = {
        "school": ("schools",),
        "police_station": ("schools__police_station",),
        "district": ("named_districts", "schools__district"),
    }
    access = ORGANISER_ACCESS

    class Meta:
        verbose_name = _("security meeting")
        verbose_name_plural = _("security meetings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=Level.CITY, district__isnull=True, school__isnull=True)
                | Q(level=Level.DISTRICT, district__isnull=False, school__isnull=True)
                | Q(level=Level.SCHOOL, district__isnull=False, school__isnull=False),
                name="meeting_unit_matches_level",
            ),
        ]
        indexes = [models.Index(fields=["level", "held_on"], name="meeting_level_held_idx")]

    def __str__(self):
        return f"{self.held_on} · {self.title}"

    def get_absolute_url(self):
        return reverse("coordination:meeting", args=[self.pk])

    @property
    def unit(self):
        return self.school or self.district or self.city

    def fill_units(self):
        """The wider units from the holding one: a school's district and city, a district's city."""
        if self.school_id:
            self.district_id = self.school.district_id
            self.city_id = self.school.district.city_id
        elif self.district_id:
            self.city_id = self.district.city_id

    def clean(self):
        super().clean()
        errors = {}
        if self.level == Level.SCHOOL and not self.school_id:
            errors["school"] = _("A school meeting names its school.")
        if self.level == Level.DISTRICT and not (self.district_id and not self.school_id):
            errors["district"] = _("A district meeting names its district and no school.")
        if self.level == Level.CITY and (self.district_id or self.school_id):
            errors["district"] = _("A city meeting names no district or school.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.fill_units()
        super().save(*args, **kwargs)


def _meeting_paths(declared):
    return {level: tuple(f"meeting__{p}" for p in paths) for level, paths in declared.items()}


class MeetingAttendee(models.Model):
    """Someone at the meeting: a user of the platform, or a name with their organisation."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_paths = _meeting_paths(Meeting.scope_paths)
    shared_paths = _meeting_paths(Meeting.shared_paths)
    access = ORGANISER_ACCESS

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


class MeetingAttachment(TimeStampedModel):
    """A document of the minutes (a signed scan, a presentation)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("meeting")
    )
    file = ProtectedFileField(_("file"), upload_to="meeting-minutes/%Y/%m/")
    title = models.CharField(_("title"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_paths = _meeting_paths(Meeting.scope_paths)
    shared_paths = _meeting_paths(Meeting.shared_paths)
    access = ORGANISER_ACCESS

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.title or self.file.name.rsplit("/", 1)[-1]


class Decision(models.Model):
    """A decision the meeting took; it may produce action items."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    text = models.TextField(_("decision"), max_length=2000)

    objects = ScopedQuerySet.as_manager()
    scope_paths = _meeting_paths(Meeting.scope_paths)
    shared_paths = _meeting_paths(Meeting.shared_paths)
    access = ORGANISER_ACCESS

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["pk"]

    def __str__(self):
        return self.text[:60]


# Who owns an action item sees it; who may mark it done is ActionEvidence's scope.
OWNER_VIEW_PATHS = {
    "school": ("owner_school",),
    "police_station": ("owner_school__police_station",),
    "district": ("owner_district", "owner_school__district"),
}


class ActionItem(TimeStampedModel):
    """Something a decision asks of an owner (a unit, and optionally one person) by a date.

    Open or done (with evidence); overdue is computed: open and past its due date.
    An item about a hazard links to it in the ledger by its reference
    ("inspections.hazard:42"), which schools/hazards.py hands back.
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("decision"),
    )
    title = models.CharField(_("action"), max_length=300)
    owner_school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning school"),
    )
    owner_district = models.ForeignKey(
        "schools.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning district bureau"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The person answering for it at the owning unit; empty: the unit's staff."),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus, default=ItemStatus.OPEN
    )
    hazard_ref = models.CharField(_("hazard"), max_length=80, blank=True)
    hazard_label = models.CharField(_("hazard number"), max_length=120, blank=True)

    objects = ActionItemQuerySet.as_manager()

    scope_paths = _meeting_paths(Meeting.scope_paths)
    shared_paths = {
        level: (
            *_meeting_paths(Meeting.shared_paths).get(level, ()),
            *OWNER_VIEW_PATHS.get(level, ()),
        )
        for level in ("school", "police_station", "district")
    }
    access = ORGANISER_ACCESS

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_school__isnull=False, owner_district__isnull=True)
                | Q(owner_school__isnull=True, owner_district__isnull=False),
                name="actionitem_one_owning_unit",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="actionitem_status_due_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("coordination:item", args=[self.pk])

    @property
    def owner_unit(self):
        return self.owner_school or self.owner_district

    def is_overdue(self, today=None) -> bool:
        return self.status == ItemStatus.OPEN and self.due_on < (today or timezone.localdate())

    @property
    def hazard_id(self):
        return int(self.hazard_ref.rsplit(":", 1)[1]) if self.hazard_ref else None

    def clean(self):
        super().clean()
        if bool(self.owner_school_id) == bool(self.owner_district_id):
            raise ValidationError(
                {"owner_school": _("Name the owning school or the owning district bureau.")}
            )
        if self.decision_id and self.meeting_id and self.decision.meeting_id != self.meeting_id:
            raise ValidationError({"decision": _("This decision belongs to another meeting.")})
        if self.meeting_id and not self.owner_within_meeting():
            raise ValidationError(
                {"owner_school": _("The owner must belong to the unit that held the meeting.")}
            )

    def owner_within_meeting(self) -> bool:
        """A meeting assigns work within its own unit: a school meeting to its school, a
        district meeting to its district's schools or bureau, a city meeting within the city."""
        meeting = self.meeting
        school, district = self.owner_school, self.owner_district
        if meeting.level == Level.SCHOOL:
            return school is not None and school.pk == meeting.school_id
        if meeting.level == Level.DISTRICT:
            owner_district_id = school.district_id if school else district.pk
            return owner_district_id == meeting.district_id
        owner_district = school.district if school else district
        return owner_district.city_id == meeting.city_id


class ActionEvidence(TimeStampedModel):
    """An action item marked done: what was done, with a photo. Adding it closes the item.

    Scoped to the item's owner (its school's staff, its district's bureau) and the
    unit that held the meeting: those may mark it done.
    """

    item = models.OneToOneField(
        ActionItem, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("action item")
    )
    note = models.TextField(_("what was done"), max_length=2000)
    photo = ProtectedImageField(_("photo"), upload_to="action-evidence/%Y/%m/", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = {
        "school": ("item__owner_school", "item__meeting__school"),
        "police_station": ("item__meeting__school__police_station",),
        "district": (
            "item__owner_district",
            "item__owner_school__district",
            "item__meeting__district",
        ),
        "city": ("item__meeting__city",),
    }
    shared_paths = {
        "school": ("item__meeting__schools",),
        "police_station": (
            "item__owner_school__police_station",
            "item__meeting__schools__police_station",
        ),
        "district": ("item__meeting__named_districts",),
    }
    access = ORGANISER_ACCESS

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.note[:60]


# The register, the legal vice-presidents and the units' meeting cadence live beside the
# meetings (one app, three concerns).
from coordination.models_cadence import MeetingCadence  # noqa: E402
from coordination.models_legal import Activity, ActivityMinimum, Appointment  # noqa: E402
from coordination.models_register import Factor, FactorShare  # noqa: E402

__all__ = [
    "ActionEvidence",
    "ActionItem",
    "Activity",
    "ActivityMinimum",
    "Appointment",
    "Decision",
    "Factor",
    "FactorShare",
    "Meeting",
    "MeetingAttachment",
    "MeetingCadence",
    "MeetingAttendee",
]
