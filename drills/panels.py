"""The drills panel on the police home: its schools' coming alarm drills and the
pre-notifications waiting for an acknowledgement."""

import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from campussafety.panels import Panel
from drills.choices import ALARM_TYPES, DrillStatus
from drills.models import Drill

# How far ahead the police see the alarm drills of their schools.
LOOK_AHEAD = datetime.timedelta(days=30)


def police_drills(section):
    """One query: the alarm drills of the station's schools planned from now on, or notified
    and not yet acknowledged."""
    now = timezone.now()
    drills = list(
        Drill.objects.for_user(section.user, roles={section.role})
        .filter(status__in=(DrillStatus.PLANNED, DrillStatus.RUNNING), drill_type__in=ALARM_TYPES)
        .filter(
            Q(planned_at__gte=now - datetime.timedelta(hours=3), planned_at__lt=now + LOOK_AHEAD)
            | Q(prenotified_at__isnull=False, prenotice_acknowledged_at__isnull=True)
        )
        .select_related("school")
        .order_by("planned_at")[:20]
    )
    return {"drills_police": drills}


PANELS = [
    Panel(frozenset({Role.POLICE_LIAISON}), "drills/_home_police.html", police_drills, order=30),
]
