"""Service records, alarm tests and video checks: the writes, and the "alarm and video" figures.

Each write is checked once, by accounts.scope.write_in_scope, and is saved
whole or not at all. A service moves the pieces' due dates through the ledger
(a "serviced" movement per piece, the due dates from the type's rules); an
alarm test and a video check count towards the obligations the inspections
app declares for them ("alarm-test", "video-spot-check"), through
schools.obligations.record_completion, so a school that tests its alarm here
or in an inspection round satisfies the same window once.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import ADD, write_in_scope
from equipment.choices import MovementKind
from equipment.models import AlarmTest, Item, Movement, ServiceRecord, VideoCheck
from equipment.models.checks import RETENTION_DAYS_REQUIRED
from equipment.services import refresh_due_dates
from schools.models import School
from schools.obligations import record_completion, rules_for_cities

# The obligation each kind of record satisfies (declared by the inspections app's defaults).
OBLIGATIONS = {AlarmTest: "alarm-test", VideoCheck: "video-spot-check"}
DUE_FIELDS = ("last_serviced_on", "next_check_on", "service_due_on", "scrap_on")
MOMENT_FIELD = {AlarmTest: "pressed_at", VideoCheck: "checked_at"}


# --- Service records --------------------------------------------------------------------------


def check_service_items(school, items, serviced_on: datetime.date, today=None) -> None:
    """The one rule for what a service record may cover, shared by the form and the API.

    At least one piece; every piece held by the record's school, of a type
    with a service rule; the date not in the future.
    """
    today = today or timezone.localdate()
    errors = {}
    if serviced_on and serviced_on > today:
        errors["serviced_on"] = _("A service cannot be recorded before it happens.")
    if not items:
        errors["items"] = _("Name at least one piece serviced.")
    else:
        wrong = [
            str(item)
            for item in items
            if item.school_id != school.pk
            or item.location_id is None
            or not item.equipment_type.first_service_years
        ]
        if wrong:
            errors["items"] = _(
                "Not pieces of this school held and serviced by a firm: %(items)s"
            ) % {"items": ", ".join(wrong)}
    if errors:
        raise ValidationError(errors)


def record_service(
    user,
    *,
    school,
    firm: str,
    certificate_number: str,
    serviced_on: datetime.date,
    items,
    notes: str = "",
) -> ServiceRecord:
    """Record a service of several pieces at once: a "serviced" movement and new due dates each.

    Queries do not grow with the pieces: the pieces are locked in one query,
    their dates written in one bulk update and the movements in one insert.
    """
    items = list(items)
    check_service_items(school, items, serviced_on)
    record = ServiceRecord(
        school=school,
        firm=firm.strip(),
        certificate_number=certificate_number.strip(),
        serviced_on=serviced_on,
        notes=notes,
        recorded_by=user,
    )
    # The references are checked already; the certificate must be new at the school.
    record.full_clean(exclude=["items", "recorded_by", "school"], validate_constraints=False)
    record.validate_constraints()

    def write():
        record.save()
        record.items.set(items)
        _service(user, record, [item.pk for item in items])
        return record

    return write_in_scope(user, ADD, write)


def _service(user, record: ServiceRecord, item_ids) -> None:
    """The "serviced" movements of the record's pieces, and their due dates moved on."""
    happened_at = timezone.make_aware(
        datetime.datetime.combine(record.serviced_on, datetime.time(12))
    )
    pieces = list(
        Item.objects.select_for_update().select_related("equipment_type").filter(pk__in=item_ids)
    )
    reason = _("Serviced by %(firm)s, certificate %(number)s") % {
        "firm": record.firm,
        "number": record.certificate_number,
    }
    movements = []
    for item in pieces:
        if item.location_id is None:
            raise ValidationError({"items": _("This piece is no longer held.")})
        # A certificate entered late does not undo a later service.
        if item.last_serviced_on is None or item.last_serviced_on < record.serviced_on:
            item.last_serviced_on = record.serviced_on
        refresh_due_dates(item)
        movements.append(
            Movement(
                school_id=item.school_id,
                kind=MovementKind.SERVICED,
                equipment_type_id=item.equipment_type_id,
                item=item,
                location_id=item.location_id,
                happened_at=happened_at,
                recorded_by=user,
                reason=reason[:300],
            )
        )
    Item.objects.bulk_update(pieces, DUE_FIELDS)
    # Servicing changes no stock: the movements carry no deltas and no balance moves.
    Movement.objects.bulk_create(movements)


# --- Alarm tests and video checks -------------------------------------------------------------


def record_check(user, record):
    """Save an AlarmTest or VideoCheck built by a form or serializer, and count it as done.

    Its model's clean() holds the rules (times in order, the gate at the
    school, no more cameras working than there are); the record counts
    towards its obligation's window in the same transaction.
    """
    record.recorded_by = user
    # The references are resolved through the user's scope already (form or serializer).
    record.full_clean(exclude=["recorded_by", "school", "gate"], validate_constraints=False)
    record.validate_constraints()

    def write():
        record.save()
        complete(record)
        return record

    return write_in_scope(user, ADD, write)


def complete(record) -> None:
    """Count `record` towards the window of its obligation at its school (if the rule applies)."""
    model = type(record)
    school = School.objects.select_related("district").get(pk=record.school_id)
    city_id = school.district.city_id
    rules = rules_for_cities([city_id], codes=[OBLIGATIONS[model]])[city_id]
    source = f"equipment.{model._meta.model_name}:{record.pk}"
    with transaction.atomic():
        for rule in rules:
            record_completion(rule, school, getattr(record, MOMENT_FIELD[model]), source)


@dataclass(frozen=True)
class AlarmAndVideo:
    """A school's latest alarm test and video check: the dashboards' "alarm and video" figures."""

    school_id: int
    alarm_tested_at: datetime.datetime | None
    alarm_reached_police: bool | None
    video_checked_at: datetime.datetime | None
    video_retention_days: int | None
    video_cameras_down: int | None

    @property
    def video_ok(self) -> bool | None:
        if self.video_checked_at is None:
            return None
        return self.video_retention_days >= RETENTION_DAYS_REQUIRED and not self.video_cameras_down

    def is_ok(self, since: datetime.datetime) -> bool:
        """Tested and checked since `since`, the alarm reached the police, and the video fine."""
        return bool(
            self.alarm_tested_at
            and self.alarm_tested_at >= since
            and self.alarm_reached_police
            and self.video_checked_at
            and self.video_checked_at >= since
            and self.video_ok
        )


def alarm_and_video(schools, before=None) -> dict[int, AlarmAndVideo]:
    """{school id: AlarmAndVideo} of `schools` (a School queryset) in one query.

    The latest test and check of each school are correlated subqueries served
    by the (school, -pressed_at) and (school, -checked_at) indexes; `before`
    (a moment) takes the latest before it, for a value as of a past day.
    """

    def latest(model, field, value):
        records = model.objects.filter(school=OuterRef("pk"))
        if before is not None:
            records = records.filter(**{f"{field}__lt": before})
        return Subquery(records.order_by(f"-{field}", "-pk").values(value)[:1])

    rows = (
        schools.order_by()
        .annotate(
            alarm_at=latest(AlarmTest, "pressed_at", "pressed_at"),
            alarm_ack=latest(AlarmTest, "pressed_at", "acknowledged_at"),
            video_at=latest(VideoCheck, "checked_at", "checked_at"),
            video_days=latest(VideoCheck, "checked_at", "retention_days"),
            video_total=latest(VideoCheck, "checked_at", "cameras_total"),
            video_working=latest(VideoCheck, "checked_at", "cameras_working"),
        )
        .values_list(
            "pk", "alarm_at", "alarm_ack", "video_at", "video_days", "video_total", "video_working"
        )
    )
    return {
        pk: AlarmAndVideo(
            pk,
            alarm_at,
            None if alarm_at is None else ack is not None,
            video_at,
            days,
            None if video_at is None else total - working,
        )
        for pk, alarm_at, ack, video_at, days, total, working in rows
    }
