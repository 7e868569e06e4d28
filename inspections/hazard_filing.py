"""Filing hazards on the ledger: numbering, recurrence, and the reports other apps hand in.

Every hazard enters the ledger here, whoever found it: a round's failed answer,
a drill, an equipment check, a piece missing at a shift handover, or someone
registering it by hand (inspections/hazards.py `register`). One report or a
sweep's thousand go through the same `file_reports`, in a fixed number of
queries: the school's numbers of the year are taken as one block per school,
and the recurrences (反弹) of the whole batch are found in one statement.
"""

import datetime
import json
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campussafety.ids import any_of
from inspections.choices import HazardEventKind, HazardPhotoKind, HazardState
from inspections.evidence import fill_hazard_photo_evidence
from inspections.models import Hazard, HazardEvent, HazardPhoto, HazardRules, HazardSequence
from schools.hazards import HazardReport
from schools.models import School

S = HazardState

# Add each (school, year)'s count of new hazards to its sequence and return the new
# last numbers: one statement for a batch. The batch is one JSON parameter of
# [school id, year, count] rows.
_NUMBER_SQL = {
    "postgresql": """
        UPDATE {table} AS s SET last = s.last + v.n
        FROM (SELECT (e->>0)::bigint AS sid, (e->>1)::int AS yr, (e->>2)::int AS n
              FROM jsonb_array_elements(%s::jsonb) AS e) AS v
        WHERE s.school_id = v.sid AND s.year = v.yr
        RETURNING school_id, year, last""",
    "sqlite": """
        UPDATE {table} AS s SET last = s.last + v.n
        FROM (SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS yr,
                     json_extract(value, '$[2]') AS n
              FROM json_each(%s)) AS v
        WHERE s.school_id = v.sid AND s.year = v.yr
        RETURNING school_id, year, last""",
}


def allocate_numbers(hazards: list[Hazard]) -> None:
    """Give each hazard its school's next ledger number of its year, in order of finding.

    Call inside the writing transaction: the sequence rows stay locked until it
    commits, so hazards filed at once by others get the numbers after these,
    never the same ones. Three queries however many hazards and schools.
    """
    counts = Counter((hazard.school_id, hazard.year) for hazard in hazards)
    HazardSequence.objects.bulk_create(
        [HazardSequence(school_id=school_id, year=year, last=0) for school_id, year in counts],
        ignore_conflicts=True,
    )
    rows = json.dumps([[school_id, year, n] for (school_id, year), n in sorted(counts.items())])
    with connection.cursor() as cursor:
        cursor.execute(
            _NUMBER_SQL[connection.vendor].format(
                table=connection.ops.quote_name(HazardSequence._meta.db_table)
            ),
            [rows],
        )
        following = {
            (school_id, year): last - counts[school_id, year] for school_id, year, last in cursor
        }
    for hazard in sorted(hazards, key=lambda hazard: hazard.found_at):
        following[hazard.school_id, hazard.year] += 1
        hazard.number = following[hazard.school_id, hazard.year]


def rules_of(school) -> HazardRules:
    city_id = School.objects.filter(pk=school.pk).values_list("district__city_id", flat=True)[0]
    return HazardRules.for_city(city_id)


def _same_place(hazard, earlier) -> bool:
    if hazard.checkpoint_id:
        return earlier["checkpoint_id"] == hazard.checkpoint_id
    return earlier["checkpoint_id"] is None and (
        earlier["place"].strip().upper() == hazard.place.strip().upper()
    )


def mark_recurrences(hazards: list[Hazard]) -> None:
    """Set `recurrence_of` on each new hazard that recurs (反弹): a hazard of the same
    category at the same place struck off within its city's window before this one
    was found. The same checkpoint, or without one the same place written the same
    way. Three queries for the whole batch (none when no hazard names a place)."""
    placed = [hazard for hazard in hazards if hazard.checkpoint_id or hazard.place.strip()]
    if not placed:
        return
    schools = any_of(hazard.school_id for hazard in placed)
    city_of = dict(School.objects.filter(pk__in=schools).values_list("pk", "district__city_id"))
    rules = HazardRules.for_cities(set(city_of.values()))
    since = {
        id(hazard): hazard.found_at
        - datetime.timedelta(days=rules[city_of[hazard.school_id]].recurrence_days)
        for hazard in placed
    }
    closed = (
        Hazard.objects.filter(
            school_id__in=schools,
            category__in={hazard.category for hazard in placed},
            state=S.CLOSED,
            closed_at__gte=min(since.values()),
            closed_at__lte=max(hazard.found_at for hazard in placed),
        )
        .order_by("-closed_at", "-pk")
        .values("pk", "school_id", "category", "checkpoint_id", "place", "closed_at")
    )
    struck_off = {}
    for row in closed:
        struck_off.setdefault((row["school_id"], row["category"]), []).append(row)
    for hazard in placed:
        hazard.recurrence_of_id = next(
            (
                row["pk"]
                for row in struck_off.get((hazard.school_id, hazard.category), ())
                if since[id(hazard)] <= row["closed_at"] <= hazard.found_at
                and row["pk"] != hazard.pk
                and _same_place(hazard, row)
            ),
            None,
        )


def write_event(hazard, kind, actor, now, note="", from_state="", to_state=""):
    return HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=now,
        note=note,
    )


def add_photos(hazard, kind, photos, user, event, now):
    """Save the uploads as the hazard's photos of `kind`, each with its evidence."""
    saved = []
    for upload in photos or ():
        photo = HazardPhoto(
            hazard=hazard, event=event, kind=kind, image=upload, uploaded_by=user, uploaded_at=now
        )
        photo.full_clean(exclude=["hazard", "event", "uploaded_by"])
        fill_hazard_photo_evidence(photo, hazard.school, hazard.found_at)
        photo.save()
        saved.append(photo)
    return saved


def _new_hazard(report: HazardReport, now) -> Hazard:
    """The report as an unsaved hazard, its fields checked (ValidationError otherwise)."""
    extra = report.extra
    found_at = report.found_at or now
    hazard = Hazard(
        school=report.school,
        year=timezone.localtime(found_at).year,
        found_at=found_at,
        checkpoint=extra.get("checkpoint"),
        place=report.place.strip()[:200],
        category=report.category,
        description=report.description[:2000],
        level=report.level,
        interim_measures=extra.get("interim_measures", ""),
        origin=report.origin,
        origin_ref=report.origin_ref,
        origin_url=report.origin_url,
        round=extra.get("round"),
        answer=extra.get("answer"),
        reported_by=report.reported_by,
    )
    if hazard.checkpoint is not None and hazard.checkpoint.school_id != hazard.school.pk:
        raise ValidationError({"checkpoint": _("This checkpoint belongs to another school.")})
    # The number is given below; one hazard per origin is checked before and held by
    # the database's constraint, so no query per hazard here.
    hazard.full_clean(
        exclude=["school", "number", "checkpoint", "round", "answer", "reported_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return hazard


def file_report(report: HazardReport) -> Hazard:
    """The ledger's filer for schools.hazards.report_hazard (registered in InspectionsConfig)."""
    return file_reports([report])[0]


def file_reports(reports: list[HazardReport]) -> list[Hazard]:
    """File `reports` on the ledger and return their hazards, in the same order.

    Idempotent per `origin_ref`: a record reported again returns its hazard
    (reopened if its record had withdrawn it), and a record named twice in the
    batch is one hazard. `report.extra` may name a checkpoint, a round and answer,
    interim measures, and "before" photos. All are filed, or none (ValidationError).
    """
    now = timezone.now()
    refs = {report.origin_ref for report in reports if report.origin_ref}
    earlier = (
        {hazard.origin_ref: hazard for hazard in Hazard.objects.filter(origin_ref__in=refs)}
        if refs
        else {}
    )
    filed = {}
    new = []
    for report in reports:
        if report.origin_ref in earlier:
            filed[report.origin_ref] = _reopen_withdrawn(
                earlier[report.origin_ref], report.reported_by
            )
        elif not report.origin_ref or report.origin_ref not in filed:
            hazard = _new_hazard(report, now)
            new.append((report, hazard))
            filed[report.origin_ref or id(report)] = hazard
    if new:
        try:
            _write(new, now)
        except IntegrityError:
            # Another request filed one of these records meanwhile: the first one stands.
            if not all(report.origin_ref for report, _hazard in new):
                raise
            if len(new) > 1:
                return [file_report(report) for report in reports]
            [(report, _hazard)] = new
            existing = Hazard.objects.filter(origin_ref=report.origin_ref).first()
            if existing is None:
                raise
            filed[report.origin_ref] = existing
    return [filed[report.origin_ref or id(report)] for report in reports]


def _write(new, now) -> None:
    hazards = [hazard for _report, hazard in new]
    with transaction.atomic():
        mark_recurrences(hazards)
        allocate_numbers(hazards)
        Hazard.objects.bulk_create(hazards)
        events = HazardEvent.objects.bulk_create(
            HazardEvent(
                hazard=hazard,
                kind=HazardEventKind.REPORTED,
                to_state=S.REPORTED,
                actor=report.reported_by,
                at=now,
            )
            for report, hazard in new
        )
        for (report, hazard), event in zip(new, events, strict=True):
            photos = report.extra.get("photos")
            if photos:
                add_photos(hazard, HazardPhotoKind.BEFORE, photos, report.reported_by, event, now)


def _reopen_withdrawn(hazard: Hazard, actor) -> Hazard:
    if hazard.state != S.REJECTED:
        return hazard
    last = hazard.events.order_by("-at", "-pk").values_list("kind", flat=True).first()
    if last != HazardEventKind.WITHDRAWN:
        return hazard
    Hazard.objects.filter(pk=hazard.pk).update(state=S.REPORTED, updated=timezone.now())
    write_event(hazard, HazardEventKind.REOPENED, actor, timezone.now(), "", S.REJECTED, S.REPORTED)
    hazard.state = S.REPORTED
    return hazard


def withdraw(origin_ref: str, note: str) -> None:
    """The record that reported a hazard no longer does (a round's answer changed to a
    pass): the hazard goes if nobody has confirmed it yet; a confirmed one stays."""
    now = timezone.now()
    ids = list(
        Hazard.objects.filter(origin_ref=origin_ref, state=S.REPORTED)
        .order_by()
        .values_list("pk", flat=True)
    )
    if ids:
        Hazard.objects.filter(pk__in=ids).update(state=S.REJECTED, updated=now)
        HazardEvent.objects.bulk_create(
            HazardEvent(
                hazard_id=pk,
                kind=HazardEventKind.WITHDRAWN,
                from_state=S.REPORTED,
                to_state=S.REJECTED,
                at=now,
                note=note,
            )
            for pk in ids
        )
