"""Who receives a reminder: the users holding a role over a unit, in one query per call."""

from collections import defaultdict

from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import RoleAssignment
from reminders.registry import Due


def holders(role_field: str, roles, unit_ids) -> dict[int, list[int]]:
    """{unit id: [user ids]} for active users holding one of `roles` over those units."""
    result = defaultdict(list)
    rows = (
        RoleAssignment.objects.filter(
            role__in=roles, **{f"{role_field}_id__in": set(unit_ids)}, user__is_active=True
        )
        .order_by("user_id")
        .values_list(f"{role_field}_id", "user_id")
    )
    for unit_id, user_id in rows:
        if user_id not in result[unit_id]:
            result[unit_id].append(user_id)
    return result


def school_leaders(school_ids):
    """Principals and safety officers: those who answer for the school's posts."""
    return holders("school", (Role.PRINCIPAL, Role.SAFETY_OFFICER), school_ids)


def principals(school_ids):
    return holders("school", (Role.PRINCIPAL,), school_ids)


def district_staff(district_ids):
    return holders("district", (Role.DISTRICT_STAFF,), district_ids)


def city_staff(city_ids):
    return holders("city", (Role.CITY_STAFF,), city_ids)


def police_liaisons(station_ids):
    return holders("police_station", (Role.POLICE_LIAISON,), station_ids)


def safety_officers(school_ids):
    return holders("school", (Role.SAFETY_OFFICER,), school_ids)


def district_summaries(kind, by_district: dict, day, listed: int) -> list:
    """One Due per district staff member: the district's `by_district` lines of `day`.

    A daily summary lists its first `listed` lines and counts them all, so one
    district's bad day makes one readable notification, not hundreds.
    """
    staff = district_staff(by_district)
    return [
        Due(
            kind.name,
            subject=f"district:{district_id}",
            due=day.isoformat(),
            user_id=user_id,
            params={"date": day.isoformat(), "count": len(lines), "missed": lines[:listed]},
        )
        for district_id, lines in by_district.items()
        for user_id in staff.get(district_id, ())
    ]


class DistrictSummary:
    """The wording of a district_summaries() item: its title, then a line per listed item.

    A reminder kind mixes it in (before ReminderKind) and says how one item reads (`line`).
    """

    def line(self, item: dict) -> str:
        raise NotImplementedError

    def body(self, params):
        lines = [self.line(item) for item in params["missed"]]
        hidden = params["count"] - len(lines)
        if hidden > 0:
            lines.append(str(_("… and %(count)s more") % {"count": hidden}))
        return "\n".join(lines)

    def item_text(self, params):
        return f"{self.title(params)}\n{self.body(params)}"
