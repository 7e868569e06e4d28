"""The reminders of equipment, declared for the reminders app.

Every sweep is set-based: a few queries for a whole city (the pieces due by
one indexed filter, the short places by the database in three queries,
equipment/compliance.shortfall_rows; the recipients by role in one), whatever
the number of schools. Each item is
keyed so that it is sent once: a piece's service due date, its scrap stage, a
place's shortfall once a week, a district's list once a month.

The alarm test not done by the end of its period is the inspections app's
reminder ("alarm_test_missed"): an alarm test recorded here completes the same
obligation window (equipment/checks.py), so it is not sent twice.
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campussafety.ids import any_of
from equipment import handover
from equipment.compliance import shortfall_rows
from equipment.models import EquipmentType, Item, KitShortage, Location, Movement
from equipment.services import Shortfall
from reminders import recipients
from reminders.registry import Due, ReminderKind, register
from schools.models import School

SERVICE_WARNING_DAYS = 30
SCRAP_WARNINGS = (90, 30)
# A shortfall whose place's stock has not changed for this long is told to the district.
SHORTFALL_AGE_DAYS = 30
MONDAY = 1


def _school_names(school_ids):
    return dict(School.objects.filter(pk__in=any_of(school_ids)).values_list("pk", "name"))


def _pieces(condition):
    """(item id, school id, type name, tag, location name, service due, scrap on) of held pieces."""
    return list(
        Item.objects.held()
        .filter(condition)
        .order_by("school_id", "pk")
        .values_list(
            "pk",
            "school_id",
            "equipment_type__name",
            "asset_tag",
            "location__name",
            "service_due_on",
            "scrap_on",
        )
    )


class _ChecksLink(ReminderKind):
    url_params = ("school_id",)

    def url(self, params):
        if "school_id" in params:
            return reverse("equipment-checks:school", args=[params["school_id"]])
        return reverse("equipment-checks:alarm-video")


def _piece_params(row, schools, **extra):
    pk, school_id, type_name, tag, place, service_due, scrap_on = row
    return {
        "school_id": school_id,
        "school": schools.get(school_id, ""),
        "piece": f"{type_name} {tag}".strip(),
        "place": place or "",
        "service_due": service_due.isoformat() if service_due else "",
        "scrap_on": scrap_on.isoformat() if scrap_on else "",
        **extra,
    }


@register
class ServiceDueSoon(_ChecksLink):
    """Each Monday, the safety officers get one list of the pieces due for service in 30 days."""

    name = "equipment_service_due"
    label = _("Equipment due for service")
    recipients = _(
        "The school's safety officers: one weekly list of the pieces due within 30 days."
    )
    crontab = {"hour": 7, "minute": 20, "day_of_week": MONDAY}

    def sweep(self, now):
        today = timezone.localdate(now)
        rows = _pieces(
            Q(
                service_due_on__gt=today,
                service_due_on__lte=today + datetime.timedelta(days=SERVICE_WARNING_DAYS),
            )
        )
        schools = _school_names(row[1] for row in rows)
        officers = recipients.safety_officers(schools)
        return [
            Due(
                self.name,
                subject=f"item:{row[0]}",
                # Once per due date: a piece serviced and due again is news again.
                due=row[5].isoformat(),
                user_id=user_id,
                school_id=row[1],
                params=_piece_params(row, schools),
            )
            for row in rows
            for user_id in officers.get(row[1], ())
        ]

    def body(self, params):
        return (
            _("%(school)s: %(piece)s at %(place)s is due for service by %(service_due)s.") % params
        )


@register
class ScrapDue(_ChecksLink):
    """Pieces reaching their scrap date: 90 and 30 days before, to the safety officers."""

    name = "equipment_scrap_due"
    label = _("Equipment to be scrapped")
    recipients = _("The school's safety officers, 90 and 30 days before a piece's scrap date.")
    crontab = {"hour": 7, "minute": 25}

    def sweep(self, now):
        today = timezone.localdate(now)
        horizon = today + datetime.timedelta(days=max(SCRAP_WARNINGS))
        rows = _pieces(Q(scrap_on__gt=today, scrap_on__lte=horizon))
        schools = _school_names(row[1] for row in rows)
        officers = recipients.safety_officers(schools)
        dues = []
        for row in rows:
            left = (row[6] - today).days
            # The nearest warning not yet passed: a missed day is caught up the next.
            stage = min(days for days in SCRAP_WARNINGS if left <= days)
            dues += [
                Due(
                    self.name,
                    subject=f"item:{row[0]}:{row[6].isoformat()}",
                    due=f"scrap-{stage}",
                    user_id=user_id,
                    school_id=row[1],
                    params=_piece_params(row, schools, days=stage),
                )
                for user_id in officers.get(row[1], ())
            ]
        return dues

    def body(self, params):
        return _("%(school)s: %(piece)s at %(place)s is to be scrapped on %(scrap_on)s.") % params


@register
class EquipmentOverdue(_ChecksLink):
    """A piece past its service or scrap date counts as non-compliant: the principal is told."""

    name = "equipment_overdue"
    label = _("Equipment overdue")
    recipients = _("The school's principal, once for each piece past its service or scrap date.")
    crontab = {"hour": 7, "minute": 30}

    def sweep(self, now):
        today = timezone.localdate(now)
        rows = _pieces(Q(service_due_on__lt=today) | Q(scrap_on__lte=today))
        schools = _school_names(row[1] for row in rows)
        heads = recipients.principals(schools)
        dues = []
        for row in rows:
            scrap = row[6] is not None and row[6] <= today
            state, date = ("scrap", row[6]) if scrap else ("service", row[5])
            dues += [
                Due(
                    self.name,
                    subject=f"item:{row[0]}",
                    due=f"{state}:{date.isoformat()}",
                    user_id=user_id,
                    school_id=row[1],
                    params=_piece_params(row, schools, state=state),
                )
                for user_id in heads.get(row[1], ())
            ]
        return dues

    def body(self, params):
        if params["state"] == "scrap":
            return _(
                "%(school)s: %(piece)s at %(place)s was due to be scrapped on %(scrap_on)s."
            ) % (params)
        return _(
            "%(school)s: %(piece)s at %(place)s is overdue for service since %(service_due)s."
        ) % (params)


def _names(found):
    """{location id: name} and {type id: name} of the shortfalls' places and types (two queries)."""
    places = dict(
        Location.objects.filter(pk__in=any_of(s.location_id for s in found)).values_list(
            "pk", "name"
        )
    )
    names = dict(
        EquipmentType.objects.filter(pk__in=any_of(s.equipment_type_id for s in found)).values_list(
            "pk", "name"
        )
    )
    return places, names


def _shortfall_params(shortfall, schools, places, names):
    return {
        "school_id": shortfall.school_id,
        "school": schools.get(shortfall.school_id, ""),
        "place": places.get(shortfall.location_id, ""),
        "piece": names.get(shortfall.equipment_type_id, ""),
        "missing": shortfall.missing,
    }


@register
class KitShortfallsOfSchool(_ChecksLink):
    """Each Monday, the school's principal and safety officers get its kit shortfalls."""

    name = "equipment_shortfall_school"
    label = _("Kit short of the standard")
    recipients = _("The school's principal and safety officers: one list each week.")
    crontab = {"hour": 7, "minute": 35, "day_of_week": MONDAY}

    def sweep(self, now):
        today = timezone.localdate(now)
        year, week, _day = today.isocalendar()
        found = shortfall_rows(School.objects.all(), today)
        places, names = _names(found)
        schools = _school_names(s.school_id for s in found)
        leaders = recipients.school_leaders(schools)
        return [
            Due(
                self.name,
                subject=f"shortfall:{s.location_id}:{s.equipment_type_id}",
                due=f"{year}-W{week:02d}",
                user_id=user_id,
                school_id=s.school_id,
                params=_shortfall_params(s, schools, places, names),
            )
            for s in found
            for user_id in leaders.get(s.school_id, ())
        ]

    def body(self, params):
        return _("%(school)s: %(place)s is %(missing)s short of %(piece)s.") % params


@register
class OldKitShortfallsOfDistrict(_ChecksLink):
    """Once a month, district staff get one list of the district's shortfalls older than 30 days.

    A shortfall is that old when its place existed and its stock of the type
    has not moved for 30 days (the ledger says so in one query): the same
    stock was short then. A piece named missing at a handover 30 days ago and not back counts too.
    """

    name = "equipment_shortfall_district"
    label = _("Kit shortfalls older than 30 days")
    recipients = _("The district's education bureau staff: one list of the district each month.")
    crontab = {"hour": 8, "minute": 30}
    listed = 30

    def sweep(self, now):
        today = timezone.localdate(now)
        since = now - datetime.timedelta(days=SHORTFALL_AGE_DAYS)
        found = shortfall_rows(School.objects.all(), today)
        short_places = {s.location_id for s in found}
        moved = set()
        recent = Movement.objects.filter(happened_at__gte=since).filter(
            Q(location_id__in=any_of(short_places)) | Q(to_location_id__in=any_of(short_places))
        )
        for location_id, to_location_id, type_id in recent.values_list(
            "location_id", "to_location_id", "equipment_type_id"
        ).distinct():
            moved |= {(location_id, type_id), (to_location_id, type_id)}
        # A place set up within the 30 days has not been short that long either.
        fresh = set(
            Location.objects.filter(pk__in=any_of(short_places), created__gt=since).values_list(
                "pk", flat=True
            )
        )
        old = [
            s
            for s in found
            if (s.location_id, s.equipment_type_id) not in moved and s.location_id not in fresh
        ]
        keys = {(s.location_id, s.equipment_type_id) for s in old}
        # Pieces named missing at a handover that long ago and still not back.
        for school_id, location_id, type_id, missing in (
            KitShortage.objects.open()
            .filter(found_at__lte=since)
            .values_list("school_id", "location_id", "equipment_type_id", "missing")
        ):
            if (location_id, type_id) not in keys:
                keys.add((location_id, type_id))
                old.append(Shortfall(school_id, location_id, "", type_id, missing, 0))
        places, names = _names(old)
        districts = dict(
            School.objects.filter(pk__in=any_of(s.school_id for s in old)).values_list(
                "pk", "district_id"
            )
        )
        schools = _school_names(districts)
        by_district = defaultdict(list)
        for s in sorted(old, key=lambda s: (s.school_id, s.location_id, s.equipment_type_id)):
            by_district[districts[s.school_id]].append(_shortfall_params(s, schools, places, names))
        # Once a month: the list is dated by the month's first day.
        return recipients.district_summaries(self, by_district, today.replace(day=1), self.listed)

    def title(self, params):
        return (
            ngettext(
                "%(count)s kit shortfall older than 30 days",
                "%(count)s kit shortfalls older than 30 days",
                params["count"],
            )
            % params
        )

    def body(self, params):
        lines = [
            f"{m['school']} {m['place']}: {m['piece']} −{m['missing']}" for m in params["missed"]
        ]
        hidden = params["count"] - len(lines)
        if hidden > 0:
            lines.append(str(_("… and %(count)s more") % {"count": hidden}))
        return "\n".join(lines)

    def item_text(self, params):
        return f"{self.title(params)}\n{self.body(params)}"


@register
class MissingKitHazard(_ChecksLink):
    """Every 15 minutes: pieces missing at a handover past the city's time open a hazard.

    The sweep hands each to the ledger once (equipment/handover.py) and tells
    the school's principal and safety officers that it did.
    """

    name = "equipment_missing_kit"
    label = _("Missing kit not back in time")
    recipients = _(
        "The school's principal and safety officers, when a piece named missing at a "
        "shift handover is not back within the city's time and a hazard is opened."
    )
    every_minutes = 15

    def sweep(self, now):
        escalated = handover.escalate_overdue(now)
        leaders = recipients.school_leaders({s.school_id for s in escalated})
        return [
            Due(
                self.name,
                subject=f"kitshortage:{s.pk}",
                due="hazard",
                user_id=user_id,
                school_id=s.school_id,
                params={
                    "school_id": s.school_id,
                    "school": s.school.name,
                    "place": s.location.name,
                    "piece": s.equipment_type.name,
                    "missing": s.missing,
                },
            )
            for s in escalated
            for user_id in leaders.get(s.school_id, ())
        ]

    def body(self, params):
        return (
            _(
                "%(school)s: %(piece)s (%(missing)s) missing at %(place)s is not back: "
                "a hazard was opened."
            )
            % params
        )
