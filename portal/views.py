"""The home page: one section for each role the user holds."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.choices import Role
from accounts.scope import Scope
from posts.views.today import todays_posts
from schools.calendar import holiday_data_known, school_days
from schools.choices import SchoolType
from schools.models import City, District, PoliceStation, School
from schools.views import SCHOOL_DAYS_HORIZON

# Roles whose home section is an overview of an area, and the unit that names it.
OVERVIEW_ROLES = {Role.ADMIN: None, Role.CITY_STAFF: City, Role.DISTRICT_STAFF: District}
SCHOOL_ROLES = (Role.PRINCIPAL, Role.SAFETY_OFFICER)
# A school's card lists fewer next school days than its page does.
NEXT_SCHOOL_DAYS = 5


class HomeView(LoginRequiredMixin, TemplateView):
    """What each role needs first thing in the morning.

    Bureau roles (admin, city and district staff) get an overview of their area,
    school staff their school's card, police liaisons today's status of the
    schools in their jurisdiction. Every count is computed in the database.
    """

    template_name = "portal/home.html"

    def get_template_names(self):
        if not Scope.of(self.request.user).roles:
            return ["accounts/no_role.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        held = Scope.of(user).roles
        today = timezone.localdate()
        sections = []
        for role in Role:
            if role not in held:
                continue
            if role in OVERVIEW_ROLES:
                sections.append(overview_section(user, role))
            elif role in SCHOOL_ROLES:
                sections.append(school_staff_section(user, role, today))
            elif role == Role.POLICE_LIAISON:
                sections.append(police_section(user, role, today))
        context["sections"] = sections
        context["today"] = today
        if held & set(OVERVIEW_ROLES):
            # The State Council publishes each year's holidays late in the year
            # before; until the package knows them, school days are guesses.
            context["unknown_holiday_years"] = [
                year for year in (today.year, today.year + 1) if not holiday_data_known(year)
            ]
        return context


def overview_section(user, role):
    """Counts of the area a bureau role covers, all computed in the database."""
    roles = {role}
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
    unit_model = OVERVIEW_ROLES[role]
    units = (
        list(unit_model.objects.for_user(user, roles=roles).values_list("name", flat=True))
        if unit_model
        else []
    )
    return {
        "kind": "overview",
        "role": role,
        "units": units,
        "districts": District.objects.for_user(user, roles=roles).count(),
        "police_stations": PoliceStation.objects.for_user(user, roles=roles).count(),
        "by_type": by_type,
        **counts,
    }


def school_staff_section(user, role, today):
    """The card of each school a principal or safety officer works for."""
    schools = list(
        School.objects.for_user(user, roles={role}).with_organisation().prefetch_related("gates")
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
    return {
        "kind": "school",
        "role": role,
        "cards": cards,
        # Today's posts with their one-tap "log as rostered" buttons, right on the home page.
        "posts_today": todays_posts(user, schools, today),
    }


def police_section(user, role, today):
    """The schools in a police liaison's jurisdiction and whether they are open today."""
    schools = list(School.objects.for_user(user, roles={role}).select_related("district"))
    days = school_days(schools, today, today)
    rows = [{"school": school, "is_school_day": bool(days.get(school.pk))} for school in schools]
    return {"kind": "police", "role": role, "rows": rows}
