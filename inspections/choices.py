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
