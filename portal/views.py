"""The home page: one section for each role the user holds, made of the apps' panels."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.choices import Role
from accounts.scope import BUREAU, Scope
from portal.panels import panels_for
from schools.calendar import holiday_data_known

# What a role's section is about: an area (bureau roles), a school, or a jurisdiction.
KINDS = {
    Role.ADMIN: "overview",
    **dict.fromkeys(BUREAU, "overview"),
    Role.PRINCIPAL: "school",
    Role.SAFETY_OFFICER: "school",
    Role.POLICE_LIAISON: "police",
    Role.GUARD: "guard",
}


@dataclass(frozen=True)
class RoleSection:
    """What a panel's context is built from."""

    user: object
    role: str
    today: datetime.date


def section_of(user, role, today) -> dict:
    request = RoleSection(user, role, today)
    panels = panels_for(role)
    section = {"role": role, "kind": KINDS[role], "units": [], "panels": []}
    for panel in panels:
        if panel.context is not None:
            section.update(panel.context(request))
        section["panels"].append(panel.template)
    return section


class HomeView(LoginRequiredMixin, TemplateView):
    """What each role needs first thing in the morning.

    Bureau roles (admin, city and district staff) get an overview of their area,
    school staff their school's card and today's posts, police liaisons today's
    status of the schools in their jurisdiction: whatever panels the apps declare
    for the role (campussafety/panels.py). Every count is computed in the database.
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
        context["sections"] = [section_of(user, role, today) for role in Role if role in held]
        context["today"] = today
        if any(KINDS[role] == "overview" for role in held):
            # The State Council publishes each year's holidays late in the year
            # before; until the package knows them, school days are guesses.
            context["unknown_holiday_years"] = [
                year for year in (today.year, today.year + 1) if not holiday_data_known(year)
            ]
        return context
