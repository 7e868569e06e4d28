"""What drills shows on other pages (campussafety/panels.py): on the police home, its
schools' coming alarm drills and the pre-notifications waiting for an acknowledgement;
on a post member's page, their training."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from campussafety.panels import FILE_SECTION_TEMPLATE, SCHOOL_FILE, FileSection, ObjectPanel, Panel
from drills import plans
from drills.choices import ALARM_TYPES, DrillStatus
from drills.models import Drill, TrainingSession

# How far ahead the police see the alarm drills of their schools.
LOOK_AHEAD = datetime.timedelta(days=30)
# The latest sessions on the member's page; the training list has them all.
LISTED = 5


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


def member_training(user, member):
    """The member's latest training sessions the user sees: one query (two with the count)."""
    sessions = plans.training_of_member(TrainingSession.objects.for_user(user), member.pk)
    latest = list(sessions.select_related("school")[: LISTED + 1])
    return {
        "sessions": latest[:LISTED],
        "more": len(latest) > LISTED,
        "url": f"{reverse('drillplans:training')}?member={member.pk}",
    }


PANELS = [
    Panel(frozenset({Role.POLICE_LIAISON}), "drills/_home_police.html", police_drills, order=30),
]


def file_drills(user, school):
    """The school file's drills planned from today on, and the latest held: one query."""
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    from drills.models import Drill

    since = timezone.now() - timezone.timedelta(days=180)
    drills = (
        Drill.objects.for_user(user)
        .filter(school=school, planned_at__gte=since)
        .order_by("planned_at", "pk")
    )
    return FileSection(
        title=_("Drills"),
        header=[_("Planned for"), _("Type"), _("Status"), _("Evacuation time (s)")],
        rows=[
            [
                d.planned_at,
                d.get_drill_type_display(),
                d.get_status_display(),
                d.evacuation_seconds if d.evacuation_seconds is not None else "",
            ]
            for d in drills
        ],
        empty=_("No drill in the last six months or planned."),
    ).as_context()


OBJECT_PANELS = [
    ObjectPanel("posts.member", "drills/plans/_member_training.html", member_training),
    ObjectPanel(SCHOOL_FILE, FILE_SECTION_TEMPLATE, file_drills, order=30),
]
