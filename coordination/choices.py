"""The choices of coordination: meeting levels, action item states, the register's
categories, risk levels and states, legal vice-presidents' organisations and activities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SCHOOL = "school", _("School")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


# Overdue is computed (an open item past its due date), never stored: shown beside these.
OVERDUE_LABEL = _("Overdue")


class FactorCategory(models.TextChoices):
    DISPUTE = "dispute", _("Dispute with the school")
    PERSON = "person", _("Person of concern near the campus")
    TRAFFIC = "traffic", _("Traffic black spot")
    CONSTRUCTION = "construction", _("Construction")
    PROTEST = "protest", _("Protest or gathering")
    OTHER = "other", _("Other")


class RiskLevel(models.IntegerChoices):
    # Stored as numbers so that "by risk" is an ORDER BY in the database.
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class FactorStatus(models.TextChoices):
    WATCHING = "watching", _("Watching")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated to an incident")


ACTIVE_FACTOR_STATES = (FactorStatus.WATCHING,)


class ShareUnit(models.TextChoices):
    DISTRICT = "district", _("The school's district education bureau")
    CITY = "city", _("The city education bureau")


class Organisation(models.TextChoices):
    POLICE = "police", _("Police")
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    JUSTICE = "justice", _("Justice bureau")


class ActivityType(models.TextChoices):
    LECTURE = "lecture", _("Law-education lecture")
    SAFETY_TALK = "safety_talk", _("Safety talk")
    DRILL = "drill", _("Joined a drill")
    MEETING = "meeting", _("Joined a meeting")
    CASE = "case", _("Individual case")


class Audience(models.TextChoices):
    PUPILS = "pupils", _("Pupils")
    STAFF = "staff", _("Staff")
    PARENTS = "parents", _("Parents")
    MIXED = "mixed", _("Pupils, staff and parents")
