"""Running a round: start, scan, answer, finish; and handing a failure to the hazard ledger.

Every function here writes; callers (the API's actions, the guard's pages)
run them inside `write_in_scope`, so what they wrote is checked against the
user's scope before the transaction commits. Times are the server's. Bad input
raises ValidationError with a message for the guard; nothing is half-saved.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import AnswerType, FindingStatus, RoundStatus
from inspections.evidence import fill_photo_evidence
from inspections.hazard_filing import withdraw
from inspections.models import Answer, Checkpoint, Finding, InspectionRule, Round, Scan
from schools.hazards import HazardReport, report_hazard
from schools.obligations import (
    applicable_terms,
    record_completion,
    school_facts,
    withdraw_completion,
)


def rules_at(school, kind=None) -> list[InspectionRule]:
    """The inspection rules that apply to `school` (visiting checkpoints of `kind`, if given)."""
    applying = applicable_terms(school_facts([school]), domain="inspections").get(school.pk, [])
    rules = list(
        InspectionRule.objects.filter(obligation__in=[rule for rule, _terms in applying])
        .select_related("obligation", "template")
        .order_by("obligation__code")
    )
    if kind is not None:
        rules = [
            rule for rule in rules if not rule.checkpoint_kinds or kind in rule.checkpoint_kinds
        ]
    return rules


def start_round(user, school, rule: InspectionRule, now=None) -> Round:
    """A new round of `rule` at `school` by `user`, against the checklist's current version."""
    version = rule.template.current_version
    if version is None:
        raise ValidationError(_("This checklist has no published version yet."))
    if Round.objects.filter(inspector=user, school=school, status=RoundStatus.IN_PROGRESS).exists():
        raise ValidationError(
            _("You already have a round in progress at this school: finish it first.")
        )
    try:
        with transaction.atomic():
            return Round.objects.create(
                school=school,
                rule=rule,
                version=version,
                inspector=user,
                started_at=now or timezone.now(),
            )
    except IntegrityError:
        # The same guard started twice at once (a double tap): one round stands.
        raise ValidationError(
            _("You already have a round in progress at this school: finish it first.")
        ) from None


def open_round(user, school) -> Round | None:
    return (
        Round.objects.filter(inspector=user, school=school, status=RoundStatus.IN_PROGRESS)
        .select_related("rule__obligation", "version", "school")
        .first()
    )


def _require_open(round_: Round):
    if not round_.is_open:
        raise ValidationError(_("This round is finished; start a new one."))


def scan(round_: Round, checkpoint: Checkpoint, now=None) -> Scan:
    """Record that the round reached `checkpoint`; scanning it again keeps the first time."""
    _require_open(round_)
    if checkpoint.school_id != round_.school_id:
        raise ValidationError({"checkpoint": _("This checkpoint belongs to another school.")})
    if not checkpoint.is_active:
        raise ValidationError({"checkpoint": _("This checkpoint is no longer in use.")})
    Scan.objects.bulk_create(
        [Scan(round=round_, checkpoint=checkpoint, scanned_at=now or timezone.now())],
        ignore_conflicts=True,
    )
    return Scan.objects.get(round=round_, checkpoint=checkpoint)


def items_at(round_: Round, checkpoint: Checkpoint | None):
    """The round's items asked at `checkpoint` (or once for the round when None)."""
    items = round_.version.items.all()
    if checkpoint is None:
        return [item for item in items if not item.checkpoint_kinds]
    return [item for item in items if checkpoint.kind in item.checkpoint_kinds]


def _asked_here(item, checkpoint) -> bool:
    if checkpoint is None:
        return not item.checkpoint_kinds
    return checkpoint.kind in item.checkpoint_kinds


def judge(item, passed=None, number=None, text="", photo=None) -> bool:
    """Whether an answer passes, from what was given for the item's answer type."""
    if item.answer_type == AnswerType.NUMBER:
        if number is None:
            raise ValidationError({"number": _("Enter the reading.")})
        number = Decimal(number)
        return (item.min_value is None or number >= item.min_value) and (
            item.max_value is None or number <= item.max_value
        )
    if item.answer_type == AnswerType.TEXT:
        if not text.strip():
            raise ValidationError({"text": _("Write the answer.")})
        return True if passed is None else passed
    if item.answer_type == AnswerType.PHOTO and not photo:
        raise ValidationError({"photo": _("This item needs a photo.")})
    if passed is None:
        if item.answer_type == AnswerType.PHOTO:
            return True
        raise ValidationError({"passed": _("Say whether it passed.")})
    return passed


def answer(
    round_: Round,
    item,
    checkpoint=None,
    *,
    passed=None,
    number=None,
    text="",
    photo=None,
    corrected_on_spot=False,
    now=None,
) -> Answer:
    """Answer `item` at `checkpoint` on the round; answering again replaces the earlier answer.

    A fail is either corrected on the spot (the item must allow it, and a
    photo shows it done) or becomes a Finding through report_failure().
    `round_` comes with its school; `item` and `checkpoint` are the round's own
    (the callers look them up through the round). Constant queries: the scan
    check, the re-used photo check (with a photo), the earlier answer, its
    finding removed and its unconfirmed hazard withdrawn, the save, and a
    new hazard with its finding.
    """
    _require_open(round_)
    now = now or timezone.now()
    if item.version_id != round_.version_id:
        raise ValidationError({"item": _("This item is not on this round's checklist.")})
    if not _asked_here(item, checkpoint):
        raise ValidationError({"item": _("This item is not asked here.")})
    if (
        checkpoint is not None
        and not Scan.objects.filter(round=round_, checkpoint=checkpoint).exists()
    ):
        raise ValidationError({"checkpoint": _("Scan this checkpoint's code before answering.")})
    result = judge(item, passed, number, text, photo)
    if result:
        corrected_on_spot = False
    elif corrected_on_spot:
        if not item.correctable_on_spot:
            raise ValidationError(
                {"corrected_on_spot": _("This item cannot be corrected on the spot: report it.")}
            )
        if not photo:
            raise ValidationError({"photo": _("Take a photo showing it corrected.")})
    row = Answer(
        round=round_,
        checkpoint=checkpoint,
        item=item,
        passed=result,
        number=number,
        text=text,
        corrected_on_spot=corrected_on_spot,
        answered_at=now,
    )
    if photo:
        row.photo = photo
        fill_photo_evidence(row, round_.school, round_.started_at)
    with transaction.atomic():
        # Answering again replaces the answer in place, and any finding the
        # earlier one opened goes (its hazard withdrawn if nobody confirmed it
        # yet): the same four queries either way.
        row.pk = (
            Answer.objects.filter(round=round_, checkpoint=checkpoint, item=item)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        Finding.objects.filter(answer_id=row.pk).delete()
        # A hazard nobody has confirmed yet goes with the answer that opened it.
        withdraw(answer_ref(row.pk), _("The round's answer was changed."))
        row.save(force_update=row.pk is not None)
        if not result and not corrected_on_spot:
            report_failure(
                school=round_.school,
                round=round_,
                answer=row,
                place=checkpoint.name if checkpoint else str(round_.school),
                description=item.text + (f" — {text}" if text else ""),
                category=item.hazard_category,
                level=item.hazard_level,
                found_at=now,
            )
    return row


def all_fine(round_: Round, checkpoint: Checkpoint | None, now=None) -> list[Answer]:
    """One tap: every pass/fail item at the checkpoint (or of the round) not answered yet passes.

    Items that need a reading, a text or a photo are left for the guard.
    """
    _require_open(round_)
    if checkpoint is not None and checkpoint.school_id != round_.school_id:
        raise ValidationError({"checkpoint": _("This checkpoint belongs to another school.")})
    if (
        checkpoint is not None
        and not Scan.objects.filter(round=round_, checkpoint=checkpoint).exists()
    ):
        raise ValidationError({"checkpoint": _("Scan this checkpoint's code before answering.")})
    now = now or timezone.now()
    rows = [
        Answer(round=round_, checkpoint=checkpoint, item=item, passed=True, answered_at=now)
        for item in items_at(round_, checkpoint)
        if item.answer_type == AnswerType.PASS_FAIL
    ]
    return Answer.objects.bulk_create(rows, ignore_conflicts=True)


def expected_checkpoints(round_: Round):
    """The school's checkpoints the round visits: of the rule's kinds (all when none named),
    none for a rule that does not walk the checkpoints (a supervision visit)."""
    if not round_.rule.walks_checkpoints:
        return Checkpoint.objects.none()
    checkpoints = Checkpoint.objects.filter(school_id=round_.school_id, is_active=True)
    if round_.rule.checkpoint_kinds:
        checkpoints = checkpoints.filter(kind__in=round_.rule.checkpoint_kinds)
    return checkpoints


def finish(round_: Round, now=None) -> Round:
    """Close the round: complete, or incomplete naming the checkpoints it skipped.

    The finished round counts towards its obligation's window in the same
    transaction, so a round and its completion are saved together or not at all.
    """
    _require_open(round_)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        _require_open(locked)
        skipped = list(expected_checkpoints(round_).exclude(scans__round=round_))
        round_.finished_at = now
        round_.status = RoundStatus.INCOMPLETE if skipped else RoundStatus.COMPLETE
        round_.save(update_fields=["finished_at", "status", "updated"])
        round_.skipped.set(skipped)
        record_completion(
            round_.rule.obligation, round_.school, now, f"inspections.round:{round_.pk}"
        )
    return round_


def report_failure(
    *, school, round, answer, place, description, category, level, found_at
) -> Finding:
    """Hand a failed item to the hazard ledger: a reported hazard linked to its round
    and answer (one per answer), and the round's Finding pointing at it."""
    hazard = report_hazard(
        HazardReport(
            school=school,
            description=description,
            category=category,
            level=level,
            place=place,
            origin="round",
            origin_ref=answer_ref(answer.pk),
            origin_url=reverse("inspections:round", args=[round.pk]),
            reported_by=round.inspector,
            found_at=found_at,
            extra={"round": round, "answer": answer, "checkpoint": answer.checkpoint},
        )
    )
    return Finding.objects.create(
        school=school,
        round=round,
        answer=answer,
        place=place,
        description=description[:500],
        hazard_category=category,
        hazard_level=level,
        found_at=found_at,
        status=FindingStatus.ADOPTED,
        hazard=hazard,
        adopted_as=f"inspections.hazard:{hazard.pk}",
    )


def answer_ref(answer_id) -> str:
    """The origin_ref of the hazard a failed answer opened."""
    return f"inspections.answer:{answer_id}"


def delete_round(round_: Round) -> None:
    """Remove a round (an administrator's correction) and its count towards the obligation."""
    with transaction.atomic():
        withdraw_completion(round_.rule.obligation, f"inspections.round:{round_.pk}")
        round_.delete()
