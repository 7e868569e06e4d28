"""Running a drill: start, all clear, class headcounts, problems, sign-off; recording training.

Every write is checked against the user's scope (accounts.scope.write_in_scope)
and stamped with the server's time. State changes claim the drill with a
conditional update, so two phones pressing the same button change it once.
Signing off counts the drill towards each requirement its type satisfies
through the obligation mechanism, in the same transaction.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import CHANGE, write_in_scope
from drills.choices import TRAINING_RULE_CODES, DrillStatus
from drills.models import ClassHeadcount, Drill, DrillRequirement, TrainingSession
from schools.obligations import (
    applicable_terms,
    record_completion,
    rules_for_cities,
    school_facts,
)

DOMAIN = "drills"
HEADCOUNT_SALT = "drills.headcount"
# A shared headcount link works this long after the commander shares it.
HEADCOUNT_LINK_SECONDS = 3 * 60 * 60
NOON = datetime.time(12)


def _source(obj) -> str:
    return f"drills.{obj._meta.model_name}:{obj.pk}"


def _claim(user, drill: Drill, action: str, expected: tuple, **changes) -> Drill:
    """Move `drill` on from one of the `expected` statuses, once, inside the user's scope."""

    def write():
        claimed = Drill.objects.filter(pk=drill.pk, status__in=expected).update(
            **changes, updated=timezone.now()
        )
        if not claimed:
            raise ValidationError(
                _("This drill is %(status)s: it cannot be changed that way now.")
                % {"status": Drill.objects.get(pk=drill.pk).get_status_display()}
            )
        for name, value in changes.items():
            setattr(drill, name, value)
        return drill

    return write_in_scope(user, action, write)


def start_drill(user, drill: Drill) -> Drill:
    """The commander gives the signal: the stopwatch starts at the server's time."""
    return _claim(
        user,
        drill,
        CHANGE,
        (DrillStatus.PLANNED,),
        status=DrillStatus.RUNNING,
        started_at=timezone.now(),
    )


def record_all_clear(user, drill: Drill) -> Drill:
    """The commander gives the all clear: the stopwatch stops and the evacuation time is kept."""
    now = timezone.now()
    started = Drill.objects.values_list("started_at", flat=True).get(pk=drill.pk)
    seconds = int((now - started).total_seconds()) if started else None
    return _claim(
        user,
        drill,
        CHANGE,
        (DrillStatus.RUNNING,),
        status=DrillStatus.HELD,
        all_clear_at=now,
        evacuation_seconds=seconds,
    )


def record_problems(user, drill: Drill, problems: str) -> Drill:
    """What the drill found wrong, one problem a line, kept on the drill until it is signed off.

    The one hand-over point for problems: the hazard ledger will take them from
    here, so nothing else writes `problems_found`.
    """
    text = "\n".join(line.strip() for line in problems.splitlines() if line.strip())
    return _claim(user, drill, CHANGE, (DrillStatus.RUNNING, DrillStatus.HELD), problems_found=text)


def sign_off(user, drill: Drill) -> Drill:
    """The principal signs the held drill off; it then counts towards its requirements.

    Queries: the scope's one for the user's roles (once per user), the claim
    (1), the scope check (1), the drill with its school (1), the applicable
    requirements (4, requirements_for), and record_completion's for each
    requirement the drill satisfies.
    """
    now = timezone.now()
    with transaction.atomic():
        _claim(
            user,
            drill,
            "sign_off",
            (DrillStatus.HELD,),
            status=DrillStatus.CLOSED,
            signed_off_by_id=user.pk,
            signed_off_at=now,
        )
        held = Drill.objects.select_related("school").get(pk=drill.pk)
        for requirement in requirements_for(held):
            if requirement.is_satisfied_by(held):
                record_completion(
                    requirement.obligation, held.school, held.all_clear_at, _source(held)
                )
    return drill


def requirements_for(drill: Drill) -> list[DrillRequirement]:
    """The requirements that apply at the drill's school, whichever drill types they ask for.

    After the city's replacements and the district's and school's overrides.
    Four queries: the school's facts, the city's drill rules, the overrides,
    the requirements.
    """
    facts = school_facts([drill.school_id])
    rules = [rule for rule, _terms in applicable_terms(facts, domain=DOMAIN)[drill.school_id]]
    return list(DrillRequirement.objects.filter(obligation__in=rules).select_related("obligation"))


# --- Class headcounts through a shared link ---------------------------------------------


def headcount_token(drill: Drill) -> str:
    """The token of the per-drill link class teachers report through (valid for a few hours)."""
    return signing.dumps({"d": drill.pk, "k": drill.headcount_secret}, salt=HEADCOUNT_SALT)


def drill_for_token(token: str) -> Drill:
    """The drill a shared link reports for, or ValidationError if the link is bad or expired.

    The link works only while the drill runs or waits for its sign-off, and
    stops working when its secret is renewed.
    """
    try:
        data = signing.loads(token, salt=HEADCOUNT_SALT, max_age=HEADCOUNT_LINK_SECONDS)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This headcount link has expired."), code="expired") from error
    except signing.BadSignature as error:
        raise ValidationError(_("This headcount link is not valid."), code="invalid") from error
    drill = (
        Drill.objects.select_related("school")
        .filter(pk=data.get("d"), headcount_secret=data.get("k"))
        .first()
    )
    if drill is None:
        raise ValidationError(_("This headcount link is not valid."), code="invalid")
    if drill.status not in (DrillStatus.RUNNING, DrillStatus.HELD):
        raise ValidationError(_("This drill is not running: headcounts are closed."), code="closed")
    return drill


def record_headcount(
    drill: Drill, class_name: str, teacher_name: str, expected: int, arrived: int
) -> ClassHeadcount:
    """A class teacher's headcount: one row per class, a re-sent or corrected report replaces it.

    One query: an insert that updates the class's row on conflict, so a
    report sent twice at once (a flaky connection) still leaves one row.
    """
    class_name = " ".join(class_name.split())
    teacher_name = " ".join(teacher_name.split())
    if not class_name or not teacher_name:
        raise ValidationError(_("Give the class and the teacher's name."))
    if arrived > expected:
        raise ValidationError({"arrived": _("More pupils arrived than the class has.")})
    row = ClassHeadcount(
        drill=drill,
        class_name=class_name,
        teacher_name=teacher_name,
        expected=expected,
        arrived=arrived,
        missing=expected - arrived,
        reported_at=timezone.now(),
    )
    ClassHeadcount.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["drill", "class_name"],
        update_fields=["teacher_name", "expected", "arrived", "missing", "reported_at"],
    )
    return row


# --- Training -----------------------------------------------------------------------------


def record_training(user, session: TrainingSession) -> TrainingSession:
    """Save a training session in the user's scope; it counts towards its audience's obligation."""
    code = TRAINING_RULE_CODES[session.audience]

    def write():
        session.full_clean()
        session.save()
        city_id = session.school.district.city_id
        for rule in rules_for_cities([city_id], domain=DOMAIN, codes=[code])[city_id]:
            # A training counts on its day: noon keeps it inside that day's windows.
            occurred = timezone.make_aware(datetime.datetime.combine(session.held_on, NOON))
            record_completion(rule, session.school, occurred, _source(session))
        return session

    return write_in_scope(user, "add", write)
