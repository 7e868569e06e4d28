"""Notifications the registry sends as things happen, rather than from a scheduled sweep.

They are recorded with the reminders app's record() (exactly once per key) and
go out like any reminder: the inbox at once, email and SMS with the next flush
of deliveries.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posts.models import MemberAssignment
from reminders import delivery, recipients
from reminders.registry import Due, ReminderKind, register


@register
class RegisteredElsewhere(ReminderKind):
    """A school tried to register a person already registered at a school it cannot see.

    The school is told only that the number cannot be registered there (no
    oracle of who is registered where); the district staff of the school,
    who resolve transfers, are told which member and which school.
    """

    name = "registered_elsewhere"
    label = _("A school tried to register someone already registered elsewhere")

    def sweep(self, now):
        # Recorded as it happens (tell_district_registered_elsewhere), never swept.
        return []

    def body(self, params):
        return _(
            "%(school)s tried to register %(masked)s, who is registered at %(serves)s. "
            "Assign the member to the school if they moved there."
        ) % {
            "school": params["school"],
            "masked": params["masked"],
            "serves": ", ".join(params["serves"]) or "—",
        }

    def url(self, params):
        # A member of another district is not on these staff's pages: the city assigns them.
        if params["in_district"]:
            return reverse("posts:member-detail", args=[params["member_id"]])
        return ""


def tell_district_registered_elsewhere(member, school) -> None:
    """Tell the district staff of `school` that it tried to register `member` (once a day)."""
    staff = recipients.district_staff({school.district_id}).get(school.district_id, ())
    today = timezone.localdate().isoformat()
    serving = list(
        MemberAssignment.objects.filter(MemberAssignment.not_ended(), member=member)
        .order_by("school__name")
        .values_list("school__name", "school__district_id")
    )
    delivery.record(
        [
            Due(
                RegisteredElsewhere.name,
                subject=f"member:{member.pk}",
                due=f"{today}@school:{school.pk}",
                user_id=user_id,
                school_id=school.pk,
                params={
                    "member_id": member.pk,
                    "masked": member.id_number_masked,
                    "school": school.name,
                    "serves": [name for name, _district in serving],
                    "in_district": any(d == school.district_id for _name, d in serving),
                },
            )
            for user_id in staff
        ]
    )
