"""The bureau's supervision visits (督导): the 双随机 draw, the visit's round, its score, rankings.

The draw is reproducible: the candidates (the district's schools and its
staff, by id) and the seed are stored, and replay() gives the same schools and
inspectors again. A visit is a round of the scored supervision checklist; its
score is the sum of its scored answers, computed in the database.
"""

import random
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from inspections.choices import RoundStatus
from inspections.models import InspectionRule, SupervisionDraw, SupervisionVisit
from inspections.services import start_round
from schools.models import School

SUPERVISION_CODE = "supervision-visit"
FINISHED = (RoundStatus.COMPLETE, RoundStatus.INCOMPLETE)
MAX_SCHOOLS = 200


def replay(seed: int, school_ids: list[int], inspector_ids: list[int], count: int):
    """The (school id, inspector id) pairs a draw with `seed` makes from these candidates."""
    rng = random.Random(seed)
    schools = rng.sample(sorted(school_ids), min(count, len(school_ids)))
    ordered = sorted(inspector_ids)
    return [(school, rng.choice(ordered)) for school in schools]


def draw(user, district, period: str, count: int, seed: int | None = None, now=None):
    """Draw `count` schools of `district` and an inspector for each; once per period.

    A draw already made for the district and period is returned unchanged, so
    a repeated request (a double tap, two staff at once) cannot redraw.
    """
    existing = SupervisionDraw.objects.filter(district=district, period=period).first()
    if existing is not None:
        return existing
    if not 1 <= count <= MAX_SCHOOLS:
        raise ValidationError(
            {"count": _("Draw between 1 and %(max)s schools.") % {"max": MAX_SCHOOLS}}
        )
    school_ids = list(School.objects.filter(district=district).values_list("pk", flat=True))
    inspector_ids = list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.DISTRICT_STAFF,
            role_assignments__district=district,
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    if not school_ids:
        raise ValidationError(_("This district has no schools to draw."))
    if not inspector_ids:
        raise ValidationError(_("This district has no staff to draw inspectors from."))
    seed = secrets.randbits(62) if seed is None else seed
    pairs = replay(seed, school_ids, inspector_ids, count)
    try:
        with transaction.atomic():
            made = SupervisionDraw.objects.create(
                district=district,
                period=period,
                seed=seed,
                drawn_by=user,
                drawn_at=now or timezone.now(),
                schools_asked=count,
                candidates={"schools": sorted(school_ids), "inspectors": sorted(inspector_ids)},
            )
            SupervisionVisit.objects.bulk_create(
                SupervisionVisit(draw=made, school_id=school, inspector_id=inspector)
                for school, inspector in pairs
            )
    except IntegrityError:
        # Someone drew the same period at the same moment: theirs stands.
        return SupervisionDraw.objects.get(district=district, period=period)
    return made


def supervision_rule(city_id) -> InspectionRule:
    """The city's supervision rule, or the national default."""
    rule = (
        InspectionRule.objects.filter(obligation__code=SUPERVISION_CODE)
        .filter(Q(obligation__city_id=city_id) | Q(obligation__city__isnull=True))
        .select_related("obligation", "template")
        .order_by(F("obligation__city_id").asc(nulls_last=True))
        .first()
    )
    if rule is None:
        raise ValidationError(_("No supervision checklist is set up."))
    return rule


def start_visit(user, visit: SupervisionVisit, now=None):
    """The drawn inspector starts the visit's round at the school (or goes back to it)."""
    if visit.inspector_id != user.pk:
        raise ValidationError(_("This visit was drawn for another inspector."))
    if visit.round_id is not None:
        return visit.round
    with transaction.atomic():
        locked = SupervisionVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.round_id is not None:
            return locked.round
        rule = supervision_rule(visit.school.district.city_id)
        locked.round = start_round(user, visit.school, rule, now=now)
        locked.save(update_fields=["round"])
    return locked.round


SCORE = Coalesce(
    Sum("round__answers__number", filter=Q(round__answers__item__points__isnull=False)),
    0,
    output_field=DecimalField(max_digits=9, decimal_places=2),
)


def ranking(visits):
    """The finished visits of `visits` (a scoped queryset), best score first. One query."""
    return (
        visits.filter(round__status__in=FINISHED)
        .select_related("school", "inspector", "draw", "round")
        .annotate(score=SCORE)
        .order_by("-score", "school__name")
    )


def district_averages(visits):
    """Each district's finished visits and average score, best first. One query."""
    return (
        visits.filter(round__status__in=FINISHED)
        .values("draw__district_id", "draw__district__name")
        .annotate(
            visited=Count("round", distinct=True),
            total=SCORE,
        )
        .annotate(
            average=ExpressionWrapper(
                F("total") * 1.0 / F("visited"), output_field=DecimalField(decimal_places=2)
            )
        )
        .order_by("-average", "draw__district__name")
    )
