"""Meetings and action items: the writes the pages and the API share.

Each runs inside the user's scope (accounts.scope.write_in_scope): a meeting is
written by the unit that holds it; an item is marked done by adding its evidence,
which the item's owner and the meeting's unit may add; an item about a hazard
opens it in the ledger through schools/hazards.py.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import ADD, CHANGE, write_in_scope
from coordination.choices import ItemStatus, Level
from coordination.models import (
    ActionEvidence,
    ActionItem,
    Meeting,
    MeetingAttachment,
    MeetingAttendee,
)
from schools.choices import HazardCategory
from schools.hazards import HazardReport, report_hazard
from schools.obligations import record_completion, rules_for_cities, withdraw_completion

DOMAIN = "coordination"
MEETING_RULE = "school-security-meeting"


def hazard_reference(hazard) -> tuple[str, str]:
    """How a record names a ledger hazard without importing the ledger: "app.model:pk"
    and its number as the ledger shows it."""
    return f"{hazard._meta.label_lower}:{hazard.pk}", str(hazard)[:120]


def meeting_source(meeting) -> str:
    return f"coordination.meeting:{meeting.pk}"


def count_towards_cadence(meeting: Meeting) -> None:
    """A school meeting fills its month's window of the meeting obligation (inside the
    caller's transaction); a meeting moved to another level or date is recounted."""
    source = meeting_source(meeting)
    rules = rules_for_cities([meeting.city_id], domain=DOMAIN, codes=[MEETING_RULE])
    for rule in rules.get(meeting.city_id, ()):
        if meeting.level != Level.SCHOOL:
            withdraw_completion(rule, source)
            continue
        moment = timezone.make_aware(datetime.datetime.combine(meeting.held_on, datetime.time(12)))
        record_completion(rule, meeting.school, moment, source)


def save_meeting(meeting: Meeting, schools=None, districts=None, attendees=None) -> Meeting:
    """Save the meeting with its schools, named districts and attendees
    ([(name, organisation, user or None)]), and count it towards the cadence."""
    with transaction.atomic():
        meeting.save()
        if schools is not None:
            meeting.schools.set(schools)
        if districts is not None:
            meeting.named_districts.set(districts)
        if attendees is not None:
            meeting.attendees.all().delete()
            MeetingAttendee.objects.bulk_create(
                [
                    MeetingAttendee(meeting=meeting, name=name, organisation=org, user=user)
                    for name, org, user in attendees
                ]
            )
        count_towards_cadence(meeting)
    return meeting


def delete_meeting(meeting: Meeting) -> None:
    with transaction.atomic():
        for rule in rules_for_cities([meeting.city_id], domain=DOMAIN, codes=[MEETING_RULE]).get(
            meeting.city_id, ()
        ):
            withdraw_completion(rule, meeting_source(meeting))
        meeting.delete()


def attach(user, meeting: Meeting, file, title: str = "") -> MeetingAttachment:
    """Add a document to the meeting's minutes; the meeting's unit may (CHANGE on it)."""

    def write():
        attachment = MeetingAttachment(meeting=meeting, file=file, title=title)
        attachment.full_clean(exclude=["meeting"])
        attachment.save()
        return attachment

    return write_in_scope(user, CHANGE, write, changed=lambda _attachment: meeting)


def complete_item(user, item: ActionItem, note: str, photo=None) -> ActionEvidence:
    """Mark `item` done with its evidence. The evidence's scope decides who may: the
    item's owner and the meeting's unit. A done item stays done (400 again)."""

    def write():
        # Lock the item: two phones marking it done at once make one evidence.
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        if locked.status == ItemStatus.DONE:
            raise ValidationError({"note": _("This action item is done already.")})
        evidence = ActionEvidence(item=locked, note=note, photo=photo or "", done_by=user)
        evidence.full_clean(exclude=["item", "done_by"])
        evidence.save()
        ActionItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE, updated=timezone.now())
        return evidence

    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done.")})
    evidence = write_in_scope(user, ADD, write)
    item.status = ItemStatus.DONE
    return evidence


def item_hazard(user, item: ActionItem, origin_url: str = ""):
    """Open the hazard an action item concerns in the ledger (once per item) and link it."""
    if item.owner_school_id is None:
        raise ValidationError(_("Only an action item owned by a school can open a hazard."))

    def write():
        hazard = report_hazard(
            HazardReport(
                school=item.owner_school,
                description=item.title,
                category=HazardCategory.MANAGEMENT,
                origin="meeting",
                origin_ref=f"coordination.actionitem:{item.pk}",
                origin_url=origin_url,
                reported_by=user,
            )
        )
        item.hazard_ref, item.hazard_label = hazard_reference(hazard)
        item.save(update_fields=["hazard_ref", "hazard_label", "updated"])
        return hazard

    return write_in_scope(user, CHANGE, write, changed=lambda _hazard: item)
