"""Drill requirements as city staff keep them: the rules of their overrides, what a list of
them shows, and switching one on or off.

The pages (drills/views/requirements.py, drills/forms_requirements.py) and the API
(drills/api/) take their rules from here and from the models' clean(), so a change
refused on one is refused on the other with the same words:

- a requirement: DrillRequirement.clean() (a drills rule by a period, a code that
  replaces a national drill requirement or none) besides ObligationRule's own;
- an override: ObligationOverride.clean() (a district or a school) and
  `check_override()` below.

Writes are saved with Model.save() inside the caller's write_in_scope, so the
signal that forgets the materialised windows of the schools a rule or an override
decides (schools/signals.py) runs for a page's write exactly as for the API's.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from drills.choices import DOMAIN, DrillType
from drills.models import DrillRequirement
from schools.choices import Boarding, SchoolType, SizeBand
from schools.models import ObligationOverride, ObligationRule
from schools.obligations import applicable_terms, school_facts


def check_override(override: ObligationOverride) -> None:
    """Refuse (ValidationError by field) an override of a drill obligation that breaks a rule
    its model does not hold: it overrides a drills rule, once per district or school, with
    a count of at least one, a grace period that is not negative and a reason.

    The model's constraints hold the last two as well; checked here they are a field
    error on the page and a 400 in the API instead of a refused write.
    """
    errors = {}
    rule = getattr(override, "rule", None)
    if rule is not None and rule.domain != DOMAIN:
        errors["rule"] = _("This is not a drill requirement.")
    if override.required_count is not None and override.required_count < 1:
        errors["required_count"] = _("At least 1, or empty to keep the requirement's count.")
    if override.grace is not None and override.grace < datetime.timedelta(0):
        errors["grace"] = _("A grace period cannot be negative.")
    if not (override.reason or "").strip():
        errors["reason"] = _("Say why the requirement changes there.")
    place = "school" if override.school_id else "district" if override.district_id else None
    if rule is not None and place:
        taken = (
            ObligationOverride.objects.filter(
                rule=rule, **{f"{place}_id": getattr(override, f"{place}_id")}
            )
            .exclude(pk=override.pk)
            .exists()
        )
        if taken:
            errors[place] = _(
                "This requirement is overridden there already: change that override instead."
            )
    if errors:
        raise ValidationError(errors)


def visible_requirements(user):
    """The requirements `user` reads, each with its obligation and city, the number of
    overrides the user sees (`override_count`) and, for a national one, the number of
    cities in view whose own active rule replaces it (`replaced_in`): one query.
    """
    overrides = (
        ObligationOverride.objects.for_user(user)
        .filter(rule=OuterRef("obligation"))
        .order_by()
        .values("rule")
        .annotate(count=Count("pk"))
        .values("count")
    )
    replacements = (
        ObligationRule.objects.for_user(user)
        .filter(
            city__isnull=False, is_active=True, domain=DOMAIN, code=OuterRef("obligation__code")
        )
        .order_by()
        .values("code")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        DrillRequirement.objects.for_user(user)
        .select_related("obligation__city")
        .annotate(
            override_count=Coalesce(Subquery(overrides, output_field=IntegerField()), 0),
            replaced_in=Case(
                When(
                    obligation__city__isnull=True,
                    then=Coalesce(Subquery(replacements, output_field=IntegerField()), 0),
                ),
                default=Value(0),
            ),
        )
        # A code's national default first, then each city's own.
        .order_by("obligation__code", F("obligation__city__name").asc(nulls_first=True), "pk")
    )


def terms_at(school) -> dict:
    """{obligation rule id: its effective Terms} of the drill rules that apply at `school`,
    after the city's replacements and the district's and school's overrides: three queries."""
    facts = school_facts([school.pk])
    return {
        rule.pk: terms for rule, terms in applicable_terms(facts, domain=DOMAIN).get(school.pk, ())
    }


def applies_to(rule: ObligationRule) -> list[str]:
    """What the rule, as written, asks of which schools, in words (overrides aside)."""
    parts = [str(SchoolType(value).label) for value in rule.school_types]
    parts += [str(SizeBand(value).label) for value in rule.size_bands]
    if rule.boarding != Boarding.ANY:
        parts.append(str(Boarding(rule.boarding).label))
    if rule.buses_only:
        parts.append(str(_("schools with buses only")))
    return parts or [str(_("every school"))]


def drill_type_labels(requirement: DrillRequirement) -> list[str]:
    return [str(DrillType(value).label) for value in requirement.drill_types]


def set_active(requirement: DrillRequirement, active: bool) -> DrillRequirement:
    """Switch the requirement on or off (its obligation's `is_active`). A city's rule switched
    off gives the place back to the national default with its code, if there is one."""
    rule = requirement.obligation
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated"])
    return requirement
