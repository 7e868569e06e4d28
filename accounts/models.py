"""Users and the roles they hold over parts of the organisation."""

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import Scope

# Which unit each role is held over; admin is held over nothing.
ROLE_UNIT = {
    Role.ADMIN: None,
    Role.CITY_STAFF: "city",
    Role.DISTRICT_STAFF: "district",
    Role.PRINCIPAL: "school",
    Role.SAFETY_OFFICER: "school",
    Role.POLICE_LIAISON: "police_station",
    Role.GUARD: "school",
}
UNIT_FIELDS = ("city", "district", "police_station", "school")


class User(AbstractUser):
    """A person who signs in. What they may reach comes from their role assignments."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def scope(self) -> Scope:
        return Scope.of(self)


def _role_unit_condition(role, unit):
    """The check that a `role` row names exactly its `unit` and no other."""
    return Q(role=role, **{f"{field}__isnull": field != unit for field in UNIT_FIELDS})


class RoleAssignment(models.Model):
    """A role a user holds over one city, district, police station or school."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    city = models.ForeignKey(
        "schools.City", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("city")
    )
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    police_station = models.ForeignKey(
        "schools.PoliceStation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("police station"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("school"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    _role_unit_condition(Role.ADMIN, None)
                    | _role_unit_condition(Role.CITY_STAFF, "city")
                    | _role_unit_condition(Role.DISTRICT_STAFF, "district")
                    | _role_unit_condition(Role.PRINCIPAL, "school")
                    | _role_unit_condition(Role.SAFETY_OFFICER, "school")
                    | _role_unit_condition(Role.POLICE_LIAISON, "police_station")
                    | _role_unit_condition(Role.GUARD, "school")
                ),
                name="roleassignment_unit_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role=Role.ADMIN),
                name="roleassignment_one_admin",
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"roleassignment_unique_{field}",
                )
                for field in UNIT_FIELDS
            ],
        ]

    def __str__(self):
        unit = self.unit
        return f"{self.user} · {self.get_role_display()}" + (f" · {unit}" if unit else "")

    @property
    def unit(self):
        field = ROLE_UNIT.get(self.role)
        return getattr(self, field) if field else None

    def clean(self):
        super().clean()
        expected = ROLE_UNIT.get(self.role)
        errors = {}
        for field in UNIT_FIELDS:
            is_set = getattr(self, f"{field}_id") is not None
            if field == expected and not is_set:
                errors[field] = _("This role is held over a %(unit)s; choose one.") % {
                    "unit": self._meta.get_field(field).verbose_name
                }
            elif field != expected and is_set:
                errors[field] = _("Leave this empty for this role.")
        if errors:
            raise ValidationError(errors)


# The access log (campussafety/audit.py): who was given or lost which role.
auditlog.register(RoleAssignment)
