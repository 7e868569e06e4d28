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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import CHANGE, write_in_scope
from drills.choices import ALARM_TYPES, TRAINING_RULE_CODES, DrillStatus
from drills.models import ClassHeadcount, Drill, DrillRequirement, TrainingSession
from schools.hazards import HazardReport, report_hazard
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
# A drill's record is written from the signal until the principal signs it off.
RECORDING = (DrillStatus.RUNNING, DrillStatus.HELD, DrillStatus.EVALUATED)


def _source(obj) -> str:
    return f"drills.{obj._meta.model_name}:{obj.pk}"


def _claim(
    user, drill: Drill, action: str, expected: tuple, *, when=None, refusal=None, **changes
) -> Drill:
    """Move `drill` on from one of the `expected` statuses, once, inside the user's scope.

    `when` (a Q) narrows the claim further; `refusal` is the message when it fails.
    """

    def write():
        claimed = (
            Drill.objects.filter(pk=drill.pk, status__in=expected)
            .filter(when or Q())
            .update(**changes, updated=timezone.now())
        )
        if not claimed and refusal:
            raise ValidationError(refusal)
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

    Nothing else writes `problems_found`; problem_hazard() opens a line of it as
    a hazard in the ledger.
    """
    text = "\n".join(line.strip() for line in problems.splitlines() if line.strip())
    return _claim(user, drill, CHANGE, RECORDING, problems_found=text)


def delete_drill(drill: Drill) -> None:
    """Delete a drill that is still only a plan; a held drill is a record and stays.

    The caller has checked that the user may delete it (the API's object permission).
    """
    deleted, _rows = Drill.objects.filter(pk=drill.pk, status=DrillStatus.PLANNED).delete()
    if not deleted:
        raise ValidationError(_("Only a planned drill can be deleted; a held one is a record."))


# What the record and evaluation fills in after the all clear.
EVALUATION_FIELDS = (
    "routes_used",
    "blocked_exits",
    "alarm_audible",
    "police_arrived_at",
    "injuries",
    "evaluation_score",
    "evaluation",
    "plan_must_be_revised",
)


def evaluate(user, drill: Drill, values: dict) -> Drill:
    """Record what happened and the evaluation of a held drill: it is then evaluated.

    The fields are checked as the model checks them (a score up to 100, police
    arrival only in alarm drills and after the signal); an evaluated drill may
    be evaluated again until it is signed off.
    """
    unknown = set(values) - set(EVALUATION_FIELDS)
    if unknown:
        raise ValueError(f"not evaluation fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(drill, name, value)
    drill.clean_fields(exclude=[f.name for f in Drill._meta.fields if f.name not in values])
    drill.clean()
    return _claim(
        user,
        drill,
        CHANGE,
        (DrillStatus.HELD, DrillStatus.EVALUATED),
        status=DrillStatus.EVALUATED,
        **values,
    )


def send_prenotice(user, drill: Drill) -> Drill:
    """Tell the school's police station of a planned alarm drill (again, if asked: the
    acknowledgement is then due anew)."""
    if drill.drill_type not in ALARM_TYPES:
        raise ValidationError(_("Only alarm drills are notified to the police."))
    return _claim(
        user,
        drill,
        CHANGE,
        (DrillStatus.PLANNED,),
        prenotified_at=timezone.now(),
        prenotified_by_id=user.pk,
        prenotice_acknowledged_at=None,
        prenotice_acknowledged_by_id=None,
    )


def acknowledge_prenotice(user, drill: Drill) -> Drill:
    """The police liaison of the school's station acknowledges the pre-notification, once."""
    return _claim(
        user,
        drill,
        "acknowledge",
        (DrillStatus.PLANNED, DrillStatus.RUNNING),
        when=Q(prenotified_at__isnull=False, prenotice_acknowledged_at__isnull=True),
        refusal=_("There is no pre-notification waiting for an acknowledgement."),
        prenotice_acknowledged_at=timezone.now(),
        prenotice_acknowledged_by_id=user.pk,
    )


def problem_lines(drill: Drill) -> list[str]:
    return [line for line in drill.problems_found.splitlines() if line.strip()]


def problem_hazard(user, drill: Drill, number: int, origin_url: str = ""):
    """Open a hazard in the ledger for problem `number` (1-based) the drill found.

    The hazard's origin_ref names the drill and the line, so asking twice files one hazard.
    """
    lines = problem_lines(drill)
    if not 1 <= number <= len(lines):
        raise ValidationError(_("The drill found no such problem."))
    report = HazardReport(
        school=drill.school,
        description=lines[number - 1],
        origin="drill",
        origin_ref=f"{_source(drill)}#{number}",
        origin_url=origin_url,
        reported_by=user,
        found_at=drill.started_at,
    )
    return write_in_scope(user, CHANGE, lambda: report_hazard(report), changed=lambda _h: drill)


def sign_off(user, drill: Drill) -> Drill:
    """The principal signs the held drill off; it then counts towards its requirements.

    Normally after its evaluation; a held drill may be signed off directly, as
    the principal takes responsibility for the record as it stands.

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
            (DrillStatus.HELD, DrillStatus.EVALUATED),
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
    drill: Drill,
    class_name: str,
    teacher_name: str,
    expected: int,
    arrived: int,
    report_id=None,
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
        report_id=report_id,
    )
    ClassHeadcount.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["drill", "class_name"],
        update_fields=[
            "teacher_name",
            "expected",
            "arrived",
            "missing",
            "reported_at",
            "report_id",
        ],
    )
    return row


def live_state(drill: Drill) -> dict:
    """The drill's live screen: two queries (the reports, their totals) after the drill's."""
    headcounts = ClassHeadcount.objects.filter(drill=drill)
    return {
        "status": drill.status,
        "started_at": drill.started_at,
        "all_clear_at": drill.all_clear_at,
        "evacuation_seconds": drill.evacuation_seconds,
        "target_seconds": drill.target_seconds,
        "totals": headcounts.totals(),
        # Classes with missing pupils first: the commander looks for them.
        "headcounts": list(headcounts.order_by("-missing", "class_name")),
    }


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
