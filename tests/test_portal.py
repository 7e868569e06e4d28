"""The home page is made of the panels the apps declare: the portal names no domain app."""

from unittest import mock

from django.urls import reverse

from accounts.choices import Role
from campussafety.panels import Panel
from portal import panels
from tests.test_pages import PageTestCase


class PanelTests(PageTestCase):
    def section(self, persona):
        self.login(persona)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        (section,) = response.context["sections"]
        return section

    def test_each_roles_section_shows_the_apps_panels_in_their_order(self):
        section = self.section("principal1")
        self.assertEqual(
            section["panels"],
            [
                "posts/_home_today.html",
                "inspections/_home_school.html",
                "equipment/_home_school.html",
                "schools/_home_cards.html",
                "coordination/_home_items.html",
            ],
        )
        section = self.section("police1")
        self.assertEqual(
            section["panels"],
            [
                "posts/_home_police.html",
                "schools/_home_police.html",
                "inspections/_home_police.html",
                "drills/_home_police.html",
                "coordination/_home_police.html",
            ],
        )
        section = self.section("city")
        self.assertEqual(
            section["panels"],
            [
                "schools/_home_overview.html",
                "posts/_home_bureau.html",
                "inspections/_home_bureau.html",
                "equipment/_home_bureau.html",
                "coordination/_home_items.html",
            ],
        )

    def test_a_new_apps_panel_joins_the_sections_of_its_roles(self):
        drills = Panel(
            frozenset({Role.PRINCIPAL}),
            "schools/_yes_no.html",
            lambda section: {"drills_due": section.role},
            order=15,
        )
        declared = (*panels.declared_panels(), drills)
        with mock.patch.object(panels, "declared_panels", lambda: declared):
            section = self.section("principal1")
            self.assertEqual(
                section["panels"],
                [
                    "posts/_home_today.html",
                    "inspections/_home_school.html",
                    "schools/_yes_no.html",
                    "equipment/_home_school.html",
                    "schools/_home_cards.html",
                    "coordination/_home_items.html",
                ],
            )
            self.assertEqual(section["drills_due"], Role.PRINCIPAL)
            section = self.section("police1")
            self.assertNotIn("schools/_yes_no.html", section["panels"])
