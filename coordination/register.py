"""The instability register's writes: sharing a factor with a bureau, opening a hazard.

Both are the police's (the factor's `access`), checked by write_in_scope against
the factor itself, so a police liaison of another station gets a 404 before and a
refusal here.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.scope import write_in_scope
from coordination.choices import ShareUnit
from coordination.models_register import SHARE, Factor, FactorShare
from coordination.services import hazard_reference
from schools.choices import HazardCategory, HazardLevel
from schools.hazards import HazardReport, report_hazard

HAZARD = "hazard"


def _unit(factor: Factor, unit: str) -> dict:
    """The share's target: the factor's school's own district or city, never another."""
    if unit == ShareUnit.DISTRICT:
        return {"district_id": factor.school.district_id}
    if unit == ShareUnit.CITY:
        return {"city_id": factor.school.district.city_id}
    raise ValidationError({"unit": _("Share with the district or the city.")})


def share(user, factor: Factor, unit: str) -> FactorShare:
    """Share `factor` with the school's district or city bureau (once)."""
    target = _unit(factor, unit)

    def write():
        found, _created = FactorShare.objects.get_or_create(
            factor=factor, **target, defaults={"shared_by": user}
        )
        return found

    return write_in_scope(user, SHARE, write, changed=lambda _share: factor)


def unshare(user, factor: Factor, unit: str) -> None:
    target = _unit(factor, unit)
    write_in_scope(
        user,
        SHARE,
        lambda: FactorShare.objects.filter(factor=factor, **target).delete(),
        changed=lambda _deleted: factor,
    )


# A factor's risk as a hazard's level in the ledger.
HAZARD_LEVELS = {1: HazardLevel.GENERAL, 2: HazardLevel.SERIOUS, 3: HazardLevel.MAJOR}


def open_hazard(user, factor: Factor, origin_url: str = ""):
    """A factor that needs a physical fix (a missing barrier) opens a hazard in the ledger,
    once per factor; the factor keeps the reference."""

    def write():
        hazard = report_hazard(
            HazardReport(
                school=factor.school,
                description=factor.description,
                category=HazardCategory.PERIMETER,
                level=HAZARD_LEVELS.get(factor.risk, HazardLevel.GENERAL),
                place=factor.place,
                origin="instability",
                origin_ref=f"coordination.factor:{factor.pk}",
                origin_url=origin_url,
                reported_by=user,
            )
        )
        factor.hazard_ref, factor.hazard_label = hazard_reference(hazard)
        factor.save(update_fields=["hazard_ref", "hazard_label", "updated"])
        return hazard

    return write_in_scope(user, HAZARD, write, changed=lambda _hazard: factor)
