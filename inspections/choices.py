from django.db import models
from django.utils.translation import gettext_lazy as _

# The hazard vocabulary is shared with every app that reports hazards (schools.hazards).
from schools.choices import HazardCategory, HazardLevel  # noqa: F401


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    NUMBER = "number", _("Number within a range")
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo required")


class CheckpointKind(models.TextChoices):
    GATE = "gate", _("Gate")
    BOOTH = "booth", _("Protection booth")
    DORMITORY = "dormitory", _("Dormitory")
    FIRE_POINT = "fire_point", _("Fire point")
    KEY_PART = "key_part", _("Key part")
    PERIMETER = "perimeter", _("Perimeter")
    MONITORING_ROOM = "monitoring_room", _("Monitoring room")
    BUILDING = "building", _("Building")


class RoundStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")
    INCOMPLETE = "incomplete", _("Incomplete")


class PhotoFlag(models.TextChoices):
    """Why a reviewer should look twice at a photo; a flagged photo is kept, never refused."""

    OLD = "old", _("Taken long before the round")
    FAR = "far", _("Taken far from the school")
    REUSED = "reused", _("Already used in an earlier record")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ADOPTED = "adopted", _("Taken over by the hazard ledger")


class HazardState(models.TextChoices):
    """Where a hazard is in the ledger's lifecycle (inspections/hazards.py moves it)."""

    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not a hazard")
    MERGED = "merged", _("Duplicate")
    RECTIFYING = "rectifying", _("Being rectified")
    SUBMITTED = "submitted", _("Awaiting re-check")
    RETURNED = "returned", _("Returned for more work")
    VERIFIED = "verified", _("Re-checked")
    CLOSED = "closed", _("Struck off")


# States in which a hazard is still on the ledger's open list.
OPEN_STATES = (
    HazardState.REPORTED,
    HazardState.CONFIRMED,
    HazardState.RECTIFYING,
    HazardState.SUBMITTED,
    HazardState.RETURNED,
    HazardState.VERIFIED,
)
# States in which the school still owes the rectification: these run late past the deadline.
UNRECTIFIED_STATES = (HazardState.CONFIRMED, HazardState.RECTIFYING, HazardState.RETURNED)


class HazardEventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected as not a hazard")
    MERGED = "merged", _("Merged into another hazard")
    ASSIGNED = "assigned", _("Assigned for rectification")
    SUBMITTED = "submitted", _("Rectification submitted")
    RETURNED = "returned", _("Returned")
    VERIFIED = "verified", _("Re-checked")
    SIGNED_OFF = "signed_off", _("Signed off by the bureau")
    CLOSED = "closed", _("Struck off")
    REOPENED = "reopened", _("Reopened")
    WITHDRAWN = "withdrawn", _("Withdrawn by the record that reported it")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    SUPERVISED = "supervised", _("Put under supervision")
    PROGRESS = "progress", _("Progress reported")
    LIFTED = "lifted", _("Supervision lifted")


class HazardPhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    PROGRESS = "progress", _("During rectification")
    AFTER = "after", _("After")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class SupervisionLevel(models.TextChoices):
    DISTRICT = "district", _("District education bureau")
    CITY = "city", _("City education bureau")
