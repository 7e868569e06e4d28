"""Emergency plans (应急预案) and training attendance: the rules the pages, the API and the
reminders share.

A plan is kept as versions: uploading one never changes an earlier version,
it adds the next number for the school and type. The current plan of a type
is its newest version. A drill whose evaluation says the plan must be revised
asks for a new version of the plan of its type (DRILL_PLAN_TYPES) until one
is uploaded after the drill's all clear.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, Max, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import ADD, CHANGE, write_in_scope
from drills.choices import DrillType, PlanType
from drills.models import EmergencyPlan, TrainingSession
from drills.models_training import TrainingAttendee

# The plan a drill of each type exercises, and so the plan its evaluation may ask to revise.
DRILL_PLAN_TYPES = {
    DrillType.FIRE_EVACUATION: PlanType.FIRE,
    DrillType.EARTHQUAKE: PlanType.EARTHQUAKE,
    DrillType.ANTI_VIOLENCE: PlanType.VIOLENCE,
    DrillType.LOCKDOWN: PlanType.VIOLENCE,
    DrillType.CROWD_CRUSH: PlanType.CROWD_CRUSH,
    DrillType.BUS: PlanType.BUS,
    DrillType.NIGHT_DORMITORY: PlanType.FIRE,
    DrillType.SEVERE_WEATHER: PlanType.SEVERE_WEATHER,
    DrillType.ONE_KEY_ALARM: PlanType.VIOLENCE,
}


def plan_type_of(drill_type: str) -> str:
    return DRILL_PLAN_TYPES.get(drill_type, PlanType.COMPREHENSIVE)


def upload_plan(user, plan: EmergencyPlan) -> EmergencyPlan:
    """Save `plan` as the next version of its school's plan of its type, in the user's scope.

    Two uploads at once cannot both take a number: the unique constraint
    refuses the second, which is told to upload again (400, nothing saved).
    """

    def write():
        latest = EmergencyPlan.objects.filter(
            school_id=plan.school_id, plan_type=plan.plan_type
        ).aggregate(latest=Max("version"))["latest"]
        plan.version = (latest or 0) + 1
        plan.uploaded_by = user
        plan.full_clean()
        plan.save()
        return plan

    try:
        with transaction.atomic():
            return write_in_scope(user, ADD, write)
    except IntegrityError as error:
        raise ValidationError(
            _("Another version of this plan was uploaded at the same moment: upload it again.")
        ) from error


def current_plans(plans):
    """The newest version of each school's plan of each type among `plans`: one query."""
    newer = EmergencyPlan.objects.filter(
        school_id=OuterRef("school_id"),
        plan_type=OuterRef("plan_type"),
        version__gt=OuterRef("version"),
    )
    return plans.exclude(Exists(newer))


def revision_pending():
    """An Exists() true for a drill that asked for a revision no later version answers."""
    return Exists(
        EmergencyPlan.objects.filter(
            school_id=OuterRef("school_id"),
            plan_type=OuterRef("revised_plan_type"),
            created__gt=OuterRef("all_clear_at"),
        )
    )


def revisions_requested(drills):
    """Drills of `drills` past their all clear asking for a revision not yet uploaded.

    One query; each drill carries `revised_plan_type`.
    """
    plan_type = Case(
        *[When(drill_type=drill, then=Value(plan)) for drill, plan in DRILL_PLAN_TYPES.items()],
        default=Value(PlanType.COMPREHENSIVE),
        output_field=CharField(),
    )
    return (
        # Any drill past its all clear, whatever its state after that.
        drills.filter(plan_must_be_revised=True, all_clear_at__isnull=False)
        .annotate(revised_plan_type=plan_type)
        .exclude(revision_pending())
    )


def overdue_reviews(plans, today=None):
    """Current plans among `plans` whose review date has passed."""
    today = today or timezone.localdate()
    return current_plans(plans).filter(revision_due__lt=today)


# --- Training attendance ---------------------------------------------------------------------


def check_attendance(session: TrainingSession, members, users) -> None:
    """The named attendees may not outnumber the session's attendees count."""
    named = len(set(members)) + len(set(users))
    if session.attendees_count is not None and named > session.attendees_count:
        raise ValidationError(
            {
                "attendees_count": _("%(named)s attendees are named; the count cannot be lower.")
                % {"named": named}
            }
        )


def save_training(user, session: TrainingSession, members=None, users=None) -> TrainingSession:
    """Save a session with its attendees in the user's scope (add or change).

    `members` and `users` are the attendee objects, already resolved through
    the user's scope (the form's and the serializer's choices); None keeps
    those attendees (the members, or the users) as they are. A session counts
    towards its audience's obligation (drills.services.record_training).
    """
    from drills.services import record_training

    is_new = session.pk is None
    kept = [] if is_new else list(session.attendees.values_list("member_id", "user_id"))
    check_attendance(
        session,
        members if members is not None else [m for m, _u in kept if m],
        users if users is not None else [u for _m, u in kept if u],
    )

    def write():
        # Recorded again on a change too: a new date moves its completion to its window.
        saved = record_training(user, session)
        if members is not None:
            saved.attendees.filter(member__isnull=False).delete()
            TrainingAttendee.objects.bulk_create(
                [TrainingAttendee(session=saved, member=m) for m in set(members)]
            )
        if users is not None:
            saved.attendees.filter(user__isnull=False).delete()
            TrainingAttendee.objects.bulk_create(
                [TrainingAttendee(session=saved, user=u) for u in set(users)]
            )
        return saved

    return write_in_scope(user, ADD if is_new else CHANGE, write)


def training_of_member(sessions, member_id: int):
    """The sessions among `sessions` a post member attended, newest first."""
    return sessions.filter(Q(attendees__member_id=member_id)).order_by("-held_on").distinct()
