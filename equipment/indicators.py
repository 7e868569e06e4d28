"""What the equipment app lets a bureau measure: kit against the standard, items overdue for
service, and the "alarm and video" 100% (CHECKS.md §7 (3)).

Kit and service come from equipment.compliance.compliance (six queries
whatever the number of schools); alarm and video from
equipment.checks.alarm_and_video (one query of correlated subqueries).
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campussafety.indicators import Indicator, Measure, Unit, moment, shared
from equipment.checks import alarm_and_video
from equipment.compliance import compliance

# "This period" of the alarm test and the video spot-check: both monthly (CHECKS.md §5, §7).
CHECK_PERIOD_DAYS = 31


@shared
def _compliance(schools, as_of):
    return compliance(schools, "school", today=as_of)


def kit_measures(schools, as_of):
    """Pieces the standard requires that are held and usable, of those required.

    Stock is what the ledger holds now: a past value comes from its snapshot.
    """
    return {row.key: Measure(row.present, row.required) for row in _compliance(schools, as_of)}


def service_measures(schools, as_of):
    """Pieces held past their service due date (a count)."""
    return {row.key: Measure(row.service_overdue) for row in _compliance(schools, as_of)}


def alarm_video_measures(schools, as_of):
    """Met where the one-key alarm test reached the police and the video check found every
    camera working with at least 30 days kept, both within the last 31 days to as_of."""
    until = moment(as_of)
    since = until - datetime.timedelta(days=CHECK_PERIOD_DAYS)
    return {
        pk: Measure(int(row.is_ok(since)), 1)
        for pk, row in alarm_and_video(schools, before=until).items()
    }


def _checks(school_id, as_of):
    return reverse("equipment-checks:school", args=[school_id])


def _board(school_id, as_of):
    return reverse("equipment:board", args=[school_id])


SOURCE_KIT = "GB/T 29315-2022; 中小学幼儿园安全防范工作规范 (试行) 2015; CHECKS.md §5"

INDICATORS = [
    Indicator(
        code="equipment.alarm_video",
        name=_("Alarm and video up to standard"),
        unit=Unit.PERCENT,
        rule=_(
            "A one-key alarm test that reached the police and a video check with every camera "
            "working and at least 30 days of recordings, both within the last 31 days."
        ),
        source="GB/T 29315-2022; 中小学幼儿园安全防范建设三年行动计划 (2019–2021)",
        compute=alarm_video_measures,
        evidence=_checks,
        target=100.0,
        four_100=3,
        order=3,
    ),
    Indicator(
        code="equipment.kit",
        name=_("Kit compliance"),
        unit=Unit.PERCENT,
        rule=_("Pieces the standard requires at each place, held and usable."),
        source=SOURCE_KIT,
        compute=kit_measures,
        evidence=_board,
        target=100.0,
        order=60,
    ),
    Indicator(
        code="equipment.service_overdue",
        name=_("Items overdue for service"),
        unit=Unit.COUNT,
        rule=_("Pieces held past their service due date."),
        source=SOURCE_KIT,
        compute=service_measures,
        evidence=_board,
        target=0.0,
        higher_is_better=False,
        order=61,
    ),
]
