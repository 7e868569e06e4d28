"""The real-name registry of people who stand at posts (实名制)."""

import datetime

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import ALL_ROLES, BUREAU, SCHOOL_STAFF
from campussafety.uploads import ProtectedImageField
from posts.choices import POLICE_KINDS, MemberKind, UnitKind, VerificationStatus
from posts.querysets import MemberQuerySet
from schools.models import TimeStampedModel
from schools.querysets import ScopedQuerySet

SCHOOL_PATHS = {
    "school": ("school",),
    "police_station": ("school__police_station",),
    "district": ("school__district",),
    "city": ("school__district__city",),
}


class Member(TimeStampedModel):
    """A person registered under their real name to stand at school protection posts.

    The ID card number is kept only as a keyed hash and a masked form
    (campussafety/personal.py). A member belongs to schools through assignments, and is
    seen by whoever sees one of those schools.
    """

    name = models.CharField(_("full name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind)
    unit_kind = models.CharField(_("unit type"), max_length=20, choices=UnitKind)
    unit_name = models.CharField(_("unit"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    id_number_hash = models.CharField(_("ID card number (keyed hash)"), max_length=64, unique=True)
    id_number_masked = models.CharField(_("ID card number"), max_length=18)
    police_number = models.CharField(_("police number"), max_length=20, blank=True)
    guard_certificate_number = models.CharField(
        _("security guard certificate number"), max_length=30, blank=True
    )
    guard_certificate_expiry = models.DateField(
        _("security guard certificate expiry"), null=True, blank=True
    )
    badge_number = models.CharField(
        _("badge or vest number"),
        max_length=30,
        blank=True,
        help_text=_("The number on the unified protection-post badge or vest."),
    )
    photo = ProtectedImageField(_("photo"), upload_to="members/%Y/%m/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    verification_status = models.CharField(
        _("verification"),
        max_length=10,
        choices=VerificationStatus,
        default=VerificationStatus.PENDING,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)

    objects = MemberQuerySet.as_manager()

    # A member is reached through their assignments to schools that have not
    # ended: staff of a school the member left no longer read, change or call
    # them (the ended assignment itself stays in that school's history).
    scope_via = ("posts.MemberAssignment", "member", "not_ended")
    access = {
        "view": ALL_ROLES,
        "add": BUREAU | SCHOOL_STAFF,
        "change": BUREAU | SCHOOL_STAFF,
        "delete": BUREAU,
        "verify": {Role.DISTRICT_STAFF, Role.POLICE_LIAISON},
        # The member's own school and police liaison need to call them.
        "view_phone": SCHOOL_STAFF | {Role.POLICE_LIAISON},
        # The access log of a member's personal data (campussafety/audit.py).
        "view_history": BUREAU,
    }

    class Meta:
        verbose_name = _("post member")
        verbose_name_plural = _("post members")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=MemberKind.POLICE) | ~Q(police_number=""),
                name="member_police_have_a_police_number",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MemberKind.SECURITY_GUARD)
                | (~Q(guard_certificate_number="") & Q(guard_certificate_expiry__isnull=False)),
                name="member_guards_have_a_certificate",
            ),
            models.CheckConstraint(
                condition=~Q(verification_status=VerificationStatus.REJECTED)
                | ~Q(rejection_reason=""),
                name="member_rejection_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(verification_status=VerificationStatus.PENDING)
                | Q(verified_at__isnull=False),
                name="member_decision_has_a_time",
            ),
        ]
        indexes = [
            # The verification queue: pending members, oldest first.
            models.Index(
                fields=["created"],
                condition=Q(verification_status=VerificationStatus.PENDING),
                name="member_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_police(self):
        return self.kind in POLICE_KINDS

    def is_qualified_on(self, day: datetime.date) -> bool:
        """Police, auxiliary police, or a guard whose certificate is valid on `day`; verified."""
        return self.unqualified_reason(day) is None

    def unqualified_reason(self, day: datetime.date) -> str | None:
        """Why the member does not count as qualified on `day`, in words; None when they do."""
        if self.verification_status == VerificationStatus.PENDING:
            return _("not verified yet")
        if self.verification_status != VerificationStatus.VERIFIED:
            return _("verification rejected")
        if self.kind in POLICE_KINDS:
            return None
        if self.kind != MemberKind.SECURITY_GUARD:
            return _("neither police nor a certified security guard")
        if self.guard_certificate_expiry is None:
            return _("no security guard certificate")
        if self.guard_certificate_expiry < day:
            return _("security guard certificate expired on %(day)s") % {
                "day": date_format(self.guard_certificate_expiry)
            }
        return None

    @staticmethod
    def qualified_condition(prefix: str = "", day=None) -> Q:
        """The same rule as is_qualified_on(), as a database condition.

        `day` is a date or an expression (F("date")) naming the day of duty.
        """
        day = day if day is not None else F("date")
        return Q(**{f"{prefix}verification_status": VerificationStatus.VERIFIED}) & (
            Q(**{f"{prefix}kind__in": POLICE_KINDS})
            | Q(
                **{
                    f"{prefix}kind": MemberKind.SECURITY_GUARD,
                    f"{prefix}guard_certificate_expiry__gte": day,
                }
            )
        )

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == MemberKind.POLICE and not self.police_number:
            errors["police_number"] = _("A police officer needs a police number.")
        if self.kind == MemberKind.SECURITY_GUARD:
            if not self.guard_certificate_number:
                errors["guard_certificate_number"] = _(
                    "A security guard needs a certificate number."
                )
            if not self.guard_certificate_expiry:
                errors["guard_certificate_expiry"] = _(
                    "A security guard's certificate needs an expiry date."
                )
        if errors:
            raise ValidationError(errors)


class MemberAssignment(TimeStampedModel):
    """A member serving a school from a start date, until an end date if any."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("member"),
        # The unique (member, school, start) index starts with it and serves its lookups:
        # a second index would only slow every insert.
        db_index=False,
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="member_assignments",
        verbose_name=_("school"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = SCHOOL_PATHS
    access = Member.access | {"delete": BUREAU | SCHOOL_STAFF}

    class Meta:
        verbose_name = _("member assignment")
        verbose_name_plural = _("member assignments")
        ordering = ["school", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "school", "start_date"], name="memberassignment_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="memberassignment_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.school}"

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})

    @staticmethod
    def not_ended() -> Q:
        """Assignments in force today or starting later: those through which a member is reached.

        One that starts later counts, so the school that registers or assigns
        someone from a future day sees them at once.
        """
        return Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate())

    @staticmethod
    def active_on(day) -> Q:
        """Assignments in force on `day` (a date or an expression)."""
        return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


# The access log (campussafety/audit.py): the ID number's hash is left out (its
# masked form is logged), phones are logged masked.
auditlog.register(
    Member,
    exclude_fields=["id_number_hash", "created", "updated"],
    mask_fields=["phone"],
    mask_callable="campussafety.personal.mask_phone",
)
auditlog.register(MemberAssignment, exclude_fields=["created", "updated"])
