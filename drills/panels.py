"""What drills adds to other apps' pages (campussafety/panels.py): a post member's training."""

from django.urls import reverse

from campussafety.panels import ObjectPanel
from drills import plans
from drills.models import TrainingSession

# The latest sessions on the member's page; the training list has them all.
LISTED = 5


def member_training(user, member):
    """The member's latest training sessions the user sees: one query (two with the count)."""
    sessions = plans.training_of_member(TrainingSession.objects.for_user(user), member.pk)
    latest = list(sessions.select_related("school")[: LISTED + 1])
    return {
        "sessions": latest[:LISTED],
        "more": len(latest) > LISTED,
        "url": f"{reverse('drillplans:training')}?member={member.pk}",
    }


OBJECT_PANELS = [
    ObjectPanel("posts.member", "drills/plans/_member_training.html", member_training),
]
