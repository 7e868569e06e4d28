"""The monthly extinguisher check: start it for the window due, answer each piece, finish it.

The obligation is the "extinguisher-monthly" rule (a data migration of this
app, national; a city checking twice a month replaces it with a required count
of 2). A failed answer is, in one transaction, a "failed" movement in the
ledger (the piece becomes faulty) and a hazard handed to the ledger through
schools.hazards. Finishing, once every extinguisher held has an answer,
counts the check towards its window through schools.obligations.
Each write is checked once, by accounts.scope.write_in_scope.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import ADD, write_in_scope
from equipment.choices import ItemStatus, MovementKind
from equipment.models import ExtinguisherAnswer, ExtinguisherCheck, Item
from equipment.services import record
from schools.choices import HazardCategory
from schools.hazards import HazardReport, report_hazard
from schools.obligations import due_windows, record_completion, rules_for_cities

RULE_CODE = "extinguisher-monthly"
# The catalogue's extinguisher types all have codes starting so (0002_default_catalogue).
TYPE_PREFIX = "extinguisher"


def extinguishers(school_id: int):
    """The school's extinguishers still held, by place: what a check answers for."""
    return (
        Item.objects.filter(
            school_id=school_id,
            location__isnull=False,
            equipment_type__code__startswith=TYPE_PREFIX,
        )
        .select_related("location", "equipment_type")
        .order_by("location__name", "asset_tag", "pk")
    )


def is_extinguisher(item: Item) -> bool:
    return item.equipment_type.code.startswith(TYPE_PREFIX)


def open_check(school_id: int) -> ExtinguisherCheck | None:
    return ExtinguisherCheck.objects.filter(school_id=school_id, finished_at=None).first()


def _rule(school):
    city_id = school.district.city_id
    rules = rules_for_cities([city_id], codes=[RULE_CODE])[city_id]
    return rules[0] if rules else None


def start_check(user, school, now=None) -> ExtinguisherCheck:
    """Open the check of the window due now at `school` (one open check per school)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    windows = [
        window
        for window in due_windows([school.pk], today, today, now=now, codes=[RULE_CODE])
        if window.start <= now < window.end
    ]
    if not windows:
        raise ValidationError(_("No extinguisher check is due at this school now."))
    window = windows[0]
    check = ExtinguisherCheck(
        school=school,
        window_start=timezone.localdate(window.start),
        window_end=timezone.localdate(window.end - datetime.timedelta(microseconds=1)),
        checked_by=user,
        started_at=now,
    )

    def write():
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError:
            raise ValidationError(_("A check of the extinguishers is open already.")) from None
        return check

    return write_in_scope(user, ADD, write)


def answer(
    user, check: ExtinguisherCheck, item: Item, *, passed: bool, note: str = "", photo=None
) -> ExtinguisherAnswer:
    """Record one extinguisher's answer; a failure marks it faulty and opens a hazard."""
    errors = {}
    if check.finished_at is not None:
        errors["check"] = _("This check is finished.")
    if item.school_id != check.school_id or item.location_id is None or not is_extinguisher(item):
        errors["item"] = _("Not an extinguisher held by this school.")
    if not passed and not note.strip():
        errors["note"] = _("Say what is wrong with the extinguisher.")
    if errors:
        raise ValidationError(errors)
    result = ExtinguisherAnswer(
        check_run=check,
        school_id=check.school_id,
        item=item,
        passed=passed,
        note=note.strip(),
        answered_by=user,
    )
    if photo:
        result.photo = photo

    def write():
        try:
            with transaction.atomic():
                result.save()
        except IntegrityError:
            raise ValidationError({"item": _("This extinguisher is answered already.")}) from None
        if not passed:
            _fail(user, result)
        return result

    return write_in_scope(user, ADD, write)


def _fail(user, result: ExtinguisherAnswer) -> None:
    item = result.item
    reason = _("Failed the monthly extinguisher check: %(note)s") % {"note": result.note}
    if item.status != ItemStatus.FAULTY:
        record(user, MovementKind.FAILED, item=item, reason=reason[:300])
    report_hazard(
        HazardReport(
            school=result.check_run.school,
            category=HazardCategory.FIRE,
            origin="equipment",
            origin_ref=f"equipment.extinguisheranswer:{result.pk}",
            origin_url=reverse("equipment:item", args=[item.pk]),
            place=item.location.name,
            description=_("Extinguisher %(piece)s failed its check: %(note)s")
            % {"piece": item, "note": result.note},
            reported_by=user,
        )
    )


def unanswered(check: ExtinguisherCheck):
    """The in-service extinguishers of the check's school still without an answer in it.

    A piece already faulty, expired or under repair is listed but not asked
    for: it is out of use until repaired or replaced.
    """
    return (
        extinguishers(check.school_id)
        .filter(status=ItemStatus.IN_SERVICE)
        .exclude(extinguisher_answers__check_run=check)
    )


def finish_check(user, check: ExtinguisherCheck, now=None) -> ExtinguisherCheck:
    """Close the check once every extinguisher has an answer, and count it towards its window."""
    if check.finished_at is not None:
        raise ValidationError(_("This check is finished."))
    if unanswered(check).exists():
        raise ValidationError(_("Answer for every extinguisher before finishing the check."))
    check.finished_at = now or timezone.now()
    school = check.school

    def write():
        check.save(update_fields=["finished_at", "updated"])
        rule = _rule(school)
        if rule is not None:
            record_completion(
                rule, school, check.finished_at, f"equipment.extinguishercheck:{check.pk}"
            )
        return check

    return write_in_scope(user, ADD, write)
