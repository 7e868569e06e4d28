"""Legal vice-presidents: appointments with their history and masked phones, activities
against the yearly minimum (data), the district's view of the schools behind with its
drill-down, logging an activity from a phone, and the year's activities as .xlsx."""

import datetime
import io

import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from coordination import legal
from coordination.models import Activity, ActivityMinimum, Appointment
from schools.models import School
from tests.coordination_world import (
    CoordinationWorldTestCase,
    make_activity,
    make_appointment,
)
from tests.obligations_world import at

# Late October: ten months begun, so 4 a year means 4 expected by now (ceil(4*10/12)).
TODAY = datetime.date(2026, 10, 20)


class BureauViewTests(CoordinationWorldTestCase):
    multi_role_personas = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # S1: appointed and up to date; S2: appointed, one activity; K1: nobody appointed.
        cls.vp1 = make_appointment(cls.s1)
        make_appointment(cls.s2, name="赵检察官", organisation="procuratorate")
        for month in (2, 4, 6, 9):
            make_activity(cls.s1, held_on=datetime.date(2026, month, 10), appointment=cls.vp1)
        make_activity(cls.s2, held_on=datetime.date(2026, 3, 1))
        make_activity(cls.s2, held_on=datetime.date(2025, 11, 1))

    def setUp(self):
        self.enterContext(time_machine.travel(at(TODAY, 9), tick=False))

    def test_the_district_sees_the_schools_behind_and_without_one(self):
        self.login("district1")
        response = self.client.get(reverse("coordination:legal"))
        names = [row.name for row in response.context["object_list"]]
        # D1 has S1 (fine) and K1 (no legal vice-president): only K1 needs attention.
        self.assertEqual(names, [self.k1.name])
        self.login("district2")
        rows = self.client.get(reverse("coordination:legal")).context["object_list"]
        self.assertEqual(
            [(r.name, r.activities, r.expected, r.behind, r.has_vp) for r in rows],
            [(self.s2.name, 1, 4, True, True)],
        )
        # The API says the same (one rule for both).
        api = self.api("district2").get(reverse("legal-vp-compliance"), {"attention": "true"})
        self.assertEqual(
            [
                (r["school"], r["activities"], r["expected"], r["behind"])
                for r in api.json()["results"]
            ],
            [(self.s2.pk, 1, 4, True)],
        )

    def test_drill_down_to_a_school_shows_history_and_masked_phone(self):
        make_appointment(
            self.s2, name="钱律师", organisation="justice", starts_on=datetime.date(2027, 1, 1)
        )
        self.login("district2")
        response = self.client.get(reverse("coordination:legal-school", args=[self.s2.pk]))
        self.assertContains(response, "赵检察官")
        self.assertContains(response, "钱律师")
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, "13812345678")
        self.login("district1")
        self.assertEqual(
            self.client.get(reverse("coordination:legal-school", args=[self.s2.pk])).status_code,
            404,
        )

    def test_the_minimum_is_data_and_a_city_replaces_it(self):
        # One a year: S2's one activity is enough, whatever the month.
        ActivityMinimum.objects.create(city=self.city_a, per_year=1)
        self.login("district2")
        self.assertEqual(
            list(self.client.get(reverse("coordination:legal")).context["object_list"]), []
        )
        self.assertIn("法治副校长", ActivityMinimum.objects.get(city=None).source)

    def test_school_staff_and_police_do_not_get_the_bureau_view(self):
        for persona in ("principal1", "officer1", "police1", "outsider"):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(reverse("coordination:legal")).status_code, 403)

    def test_the_bureau_view_costs_a_constant_number_of_queries(self):
        self.login("city")
        for n in range(2):
            School.objects.create(
                district=self.d1,
                police_station=self.p1,
                name=f"新校{n}",
                code=f"37160200{n + 10}",
                school_type="primary",
            )
            # Session, user, roles, the cities in scope, their minimums, count, the page,
            # the districts to choose from, the badge.
            with self.assertNumQueries(9):
                self.client.get(reverse("coordination:legal"))


class AppointmentHistoryTests(CoordinationWorldTestCase):
    multi_role_personas = False

    def test_a_new_appointment_ends_the_one_before(self):
        first = make_appointment(self.s1, starts_on=datetime.date(2024, 9, 1))
        response = self.api("district1").post(
            reverse("appointment-list"),
            {
                "school": self.s1.pk,
                "name": "孙法官",
                "organisation": "court",
                "phone": "13900001111",
                "starts_on": "2026-09-01",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        first.refresh_from_db()
        self.assertEqual(first.ends_on, datetime.date(2026, 8, 31))
        self.assertEqual(response.json()["phone"], "139****1111")
        self.assertEqual(Appointment.objects.filter(school=self.s1).count(), 2)

    def test_a_masked_phone_sent_back_keeps_the_number(self):
        appointment = make_appointment(self.s1)
        response = self.api("district1").patch(
            reverse("appointment-detail", args=[appointment.pk]),
            {"phone": "138****5678", "position": "所长"},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        appointment.refresh_from_db()
        self.assertEqual(appointment.phone, "13812345678")

    def test_a_bad_phone_is_a_field_error(self):
        response = self.api("district1").post(
            reverse("appointment-list"),
            {
                "school": self.s1.pk,
                "name": "x",
                "organisation": "court",
                "phone": "12",
                "starts_on": "2026-09-01",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("phone", response.json())

    def test_the_old_text_fields_became_appointments(self):
        # The data migration's reading of a unit's name.
        from importlib import import_module

        migration = import_module("coordination.migrations.0002_defaults_and_appointments")
        self.assertEqual(migration.organisation_of("滨城区人民法院"), "court")
        self.assertEqual(migration.organisation_of("市中派出所"), "police")


class ActivityPageTests(CoordinationWorldTestCase):
    multi_role_personas = False

    def test_logging_an_activity_from_a_phone(self):
        vp = make_appointment(self.s1)
        self.login("police1")
        url = reverse("coordination:activity-add")
        self.assertEqual(self.client.get(url, {"school": self.s1.pk}).status_code, 200)
        bad = self.client.post(url, {"school": self.s1.pk, "participants": "-3"})
        self.assertEqual(bad.status_code, 400)
        response = self.client.post(
            url,
            {
                "school": self.s1.pk,
                "held_on": "2026-10-12",
                "activity_type": "lecture",
                "audience": "pupils",
                "participants": 400,
                "note": "宪法日主题讲座",
            },
        )
        self.assertEqual(response.status_code, 302)
        activity = Activity.objects.get()
        self.assertEqual((activity.appointment, activity.recorded_by.username), (vp, "police1"))
        # Not at another station's school.
        response = self.client.post(
            url,
            {
                "school": self.s2.pk,
                "held_on": "2026-10-12",
                "activity_type": "lecture",
                "audience": "pupils",
                "participants": 1,
            },
        )
        self.assertEqual(response.status_code, 400)

    def test_the_year_s_activities_per_district_as_xlsx(self):
        make_activity(self.s1, held_on=datetime.date(2026, 3, 5), note="=cmd|' /C calc'!A0")
        make_activity(self.k1, held_on=datetime.date(2026, 4, 5))
        make_activity(self.s1, held_on=datetime.date(2025, 4, 5))
        make_activity(self.s2, held_on=datetime.date(2026, 4, 5))
        self.login("district1")
        response = self.client.get(
            reverse("coordination:activities-export", args=[self.d1.pk]), {"year": 2026}
        )
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        # The unit and the date on top, the header, then a row per activity of the year.
        rows = list(sheet.iter_rows(values_only=True))[2:]
        self.assertEqual(len(rows), 3)
        self.assertEqual({row[0] for row in rows[1:]}, {self.s1.name, self.k1.name})
        self.assertTrue(any(str(row[6]).startswith("'=") for row in rows[1:]))
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual((entry.actor, entry.changes["rows"][1]), (self.district1, "2"))
        csv = self.client.get(
            reverse("coordination:activities-export", args=[self.d1.pk]),
            {"year": 2026, "format": "csv"},
        )
        self.assertEqual(len(csv.content.decode("utf-8-sig").splitlines()), 3)
        self.assertEqual(
            self.client.get(
                reverse("coordination:activities-export", args=[self.d2.pk])
            ).status_code,
            404,
        )
        self.login("principal1")
        self.assertEqual(
            self.client.get(
                reverse("coordination:activities-export", args=[self.d1.pk])
            ).status_code,
            403,
        )


class ExpectedTests(CoordinationWorldTestCase):
    multi_role_personas = False

    def test_expected_so_far_is_pro_rata_and_a_past_year_in_full(self):
        self.assertEqual(legal.expected_by(4, 2026, datetime.date(2026, 1, 5)), 1)
        self.assertEqual(legal.expected_by(4, 2026, datetime.date(2026, 6, 30)), 2)
        self.assertEqual(legal.expected_by(4, 2025, datetime.date(2026, 1, 5)), 4)
        self.assertEqual(legal.expected_by(4, 2027, datetime.date(2026, 1, 5)), 0)
