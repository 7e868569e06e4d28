"""Who receives a reminder: the users holding a role over a unit, in one query per call."""

from collections import defaultdict

from accounts.choices import Role
from accounts.models import RoleAssignment


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


def police_liaisons(station_ids):
    return holders("police_station", (Role.POLICE_LIAISON,), station_ids)


def safety_officers(school_ids):
    return holders("school", (Role.SAFETY_OFFICER,), school_ids)
