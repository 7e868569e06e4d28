import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.choices import SchoolType

# The `domain` of the obligation rules drills declare (schools.ObligationRule): the drill
# requirements and the training rules.
DOMAIN = "drills"


class DrillType(models.TextChoices):
    """The drill types of ../shared/CHECKS.md §4."""

    FIRE_EVACUATION = "fire_evacuation", _("Fire evacuation")
    EARTHQUAKE = "earthquake", _("Earthquake")
    ANTI_VIOLENCE = "anti_violence", _("Anti-violence (intruder)")
    LOCKDOWN = "lockdown", _("Lockdown")
    CROWD_CRUSH = "crowd_crush", _("Crowd-crush prevention")
    BUS = "bus", _("School bus")
    NIGHT_DORMITORY = "night_dormitory", _("Night dormitory evacuation")
    SEVERE_WEATHER = "severe_weather", _("Severe weather")
    ONE_KEY_ALARM = "one_key_alarm", _("One-key alarm")


# Types that take everyone out of the buildings: they satisfy "an evacuation drill a term".
EVACUATION_TYPES = (
    DrillType.FIRE_EVACUATION,
    DrillType.EARTHQUAKE,
    DrillType.NIGHT_DORMITORY,
)

# Types in which the police are called and their arrival is timed; the station
# is told beforehand (a pre-notification its liaison acknowledges).
ALARM_TYPES = (DrillType.ONE_KEY_ALARM, DrillType.ANTI_VIOLENCE)


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    HELD = "held", _("Held (all clear given)")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Signed off")


class PlanType(models.TextChoices):
    """Emergency plans (应急预案): a comprehensive one and one per kind of emergency."""

    COMPREHENSIVE = "comprehensive", _("Comprehensive plan")
    FIRE = "fire", _("Fire")
    EARTHQUAKE = "earthquake", _("Earthquake")
    VIOLENCE = "violence", _("Violence and intruders")
    CROWD_CRUSH = "crowd_crush", _("Crowd crush")
    BUS = "bus", _("School bus")
    SEVERE_WEATHER = "severe_weather", _("Severe weather")
    PUBLIC_HEALTH = "public_health", _("Public health")


class TrainingAudience(models.TextChoices):
    GUARDS = "guards", _("Guards")
    STAFF = "staff", _("Staff fire-safety training")


# A drill held between these local times is a night drill (after the boarders'
# evening study, before they rise).
NIGHT_STARTS = datetime.time(19, 0)
NIGHT_ENDS = datetime.time(6, 0)

# Evacuation time targets in seconds for buildings of up to four floors, from
# the drill guide as quoted in CHECKS.md §4; each school may set its own.
SECONDARY_TYPES = (
    SchoolType.JUNIOR_SECONDARY,
    SchoolType.SENIOR_SECONDARY,
    SchoolType.COMPLETE_SECONDARY,
    SchoolType.VOCATIONAL,
)
SECONDARY_TARGET_SECONDS = 120
OTHER_TARGET_SECONDS = 180


def default_evacuation_target(school_type: str) -> int:
    if school_type in SECONDARY_TYPES:
        return SECONDARY_TARGET_SECONDS
    return OTHER_TARGET_SECONDS


# The obligation rule (created by the data migration, replaceable per city)
# that a training session of each audience counts towards.
TRAINING_RULE_CODES = {
    TrainingAudience.GUARDS: "guard-training",
    TrainingAudience.STAFF: "staff-fire-training",
}
