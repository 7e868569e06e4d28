"""The instability register (不稳定因素台账): factors in and around a campus, police only.

Strict access, all in the scope declaration (accounts/scope.py), so every list,
page, export and file follows it:

- police liaisons of the school's station read and keep the register;
- district and city staff read a factor only once police share it with their
  bureau (FactorShare, per factor): their scope paths run through the shares;
- principals and safety officers may report a factor, and read back only their
  own reports (`own_paths`);
- admins see everything.

Every read is written to the access log (coordination/access_log.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from coordination.choices import FactorCategory, FactorStatus, RiskLevel
from coordination.querysets import FactorQuerySet
from schools.models import TimeStampedModel
from schools.querysets import ScopedQuerySet

POLICE = frozenset({Role.POLICE_LIAISON})
REPORTERS = frozenset({Role.PRINCIPAL, Role.SAFETY_OFFICER})
SHARE = "share"


class Factor(TimeStampedModel):
    """Something around or in a campus that could turn into an incident."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="instability_factors",
        verbose_name=_("school"),
    )
    category = models.CharField(_("category"), max_length=20, choices=FactorCategory)
    risk = models.PositiveSmallIntegerField(
        _("risk level"), choices=RiskLevel, default=RiskLevel.MEDIUM
    )
    description = models.TextField(_("description"), max_length=2000)
    place = models.CharField(_("place"), max_length=200, blank=True)
    measures = models.TextField(_("measures taken"), max_length=2000, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    review_on = models.DateField(_("review date"))
    status = models.CharField(
        _("status"), max_length=10, choices=FactorStatus, default=FactorStatus.WATCHING
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    # The hazard a physical fix opened in the ledger ("inspections.hazard:42"), as
    # schools/hazards.py hands it back: the ledger is not imported here.
    hazard_ref = models.CharField(_("hazard"), max_length=80, blank=True)
    hazard_label = models.CharField(_("hazard number"), max_length=120, blank=True)

    objects = FactorQuerySet.as_manager()

    scope_paths = {
        "school": ("school",),
        "police_station": ("school__police_station",),
        "district": ("shares__district",),
        "city": ("shares__city",),
    }
    own_paths = {Role.PRINCIPAL: "reported_by", Role.SAFETY_OFFICER: "reported_by"}
    access = {
        "view": POLICE | REPORTERS | {Role.DISTRICT_STAFF, Role.CITY_STAFF},
        "add": POLICE | REPORTERS,
        "change": POLICE,
        # A register keeps what it recorded: a factor is resolved, not deleted.
        "delete": frozenset(),
        SHARE: POLICE,
        "hazard": POLICE,
    }

    class Meta:
        verbose_name = _("instability factor")
        verbose_name_plural = _("instability factors")
        ordering = ["-risk", "review_on", "pk"]
        indexes = [
            models.Index(fields=["status", "review_on"], name="factor_status_review_idx"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.description[:40]}"

    def get_absolute_url(self):
        return reverse("coordination:factor", args=[self.pk])


class FactorShare(models.Model):
    """Police share one factor with the school's district or city education bureau."""

    factor = models.ForeignKey(
        Factor,
        on_delete=models.CASCADE,
        related_name="shares",
        verbose_name=_("factor"),
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
    city = models.ForeignKey(
        "schools.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    shared_at = models.DateTimeField(_("shared at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_paths = {"police_station": ("factor__school__police_station",)}
    access = {"view": POLICE}

    class Meta:
        verbose_name = _("factor share")
        verbose_name_plural = _("factor shares")
        constraints = [
            models.CheckConstraint(
                condition=Q(district__isnull=False, city__isnull=True)
                | Q(district__isnull=True, city__isnull=False),
                name="factorshare_district_xor_city",
            ),
            models.UniqueConstraint(
                fields=["factor", "district"], name="factorshare_once_per_district"
            ),
            models.UniqueConstraint(fields=["factor", "city"], name="factorshare_once_per_city"),
        ]

    def __str__(self):
        return f"{self.factor_id} → {self.district or self.city}"
