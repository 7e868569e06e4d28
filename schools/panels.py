"""The organisation's panels on the home page: a bureau's area in numbers, a school's
card, a police liaison's schools and whether they are open today."""

from django.db.models import Count, Q

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import Panel
from schools.calendar import school_days
from schools.choices import SchoolType
from schools.models import City, District, PoliceStation, School
from schools.views import SCHOOL_DAYS_HORIZON

# The unit whose name heads a bureau role's section (none: the admin sees everything).
OVERVIEW_UNITS = {Role.ADMIN: None, Role.CITY_STAFF: City, Role.DISTRICT_STAFF: District}
# A school's card lists fewer next school days than its page does.
NEXT_SCHOOL_DAYS = 5


def overview(section):
    """Counts of the area a bureau role covers, all computed in the database."""
    user, roles = section.user, {section.role}
    schools = School.objects.for_user(user, roles=roles)
    counts = schools.aggregate(
        schools=Count("pk"),
        without_police_room=Count("pk", filter=Q(has_police_room=False)),
        without_booth=Count("pk", filter=Q(has_protection_booth=False)),
    )
    labels = dict(SchoolType.choices)
    by_type = [
        {"type": labels.get(row["school_type"], row["school_type"]), "count": row["count"]}
        for row in schools.values("school_type").annotate(count=Count("pk")).order_by("school_type")
    ]
    unit_model = OVERVIEW_UNITS[section.role]
    units = (
        list(unit_model.objects.for_user(user, roles=roles).values_list("name", flat=True))
        if unit_model
        else []
    )
    return {
        "units": units,
        "districts": District.objects.for_user(user, roles=roles).count(),
        "police_stations": PoliceStation.objects.for_user(user, roles=roles).count(),
        "by_type": by_type,
        **counts,
    }


def school_cards(section):
    """The card of each school a principal or safety officer works for."""
    today = section.today
    schools = list(
        School.objects.for_user(section.user, roles={section.role})
        .with_organisation()
        .prefetch_related("gates")
    )
    days = school_days(schools, today, today + SCHOOL_DAYS_HORIZON)
    cards = []
    for school in schools:
        school_days_ahead = days.get(school.pk, ())
        cards.append(
            {
                "school": school,
                "is_school_day": today in school_days_ahead,
                "next_school_days": [day for day in school_days_ahead if day > today][
                    :NEXT_SCHOOL_DAYS
                ],
            }
        )
    return {"cards": cards}


def police_schools(section):
    """The schools in a police liaison's jurisdiction and whether they are open today."""
    schools = list(
        School.objects.for_user(section.user, roles={section.role}).select_related("district")
    )
    days = school_days(schools, section.today, section.today)
    rows = [{"school": school, "is_school_day": bool(days.get(school.pk))} for school in schools]
    return {"rows": rows}


PANELS = [
    Panel(frozenset(OVERVIEW_UNITS), "schools/_home_overview.html", overview, order=10),
    Panel(SCHOOL_STAFF, "schools/_home_cards.html", school_cards, order=20),
    Panel(frozenset({Role.POLICE_LIAISON}), "schools/_home_police.html", police_schools, order=20),
]
