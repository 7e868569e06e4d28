"""The emergency plan and training pages, persona by persona (multi-role personas included)."""

import re

from django.urls import reverse

from drills.models import EmergencyPlan, TrainingSession
from tests.drills_world import DAY, DrillWorldTestCase
from tests.photos import temporary_media
from tests.posts_world import make_member
from tests.test_drills_plans import make_plan, pdf


class PlanPagesTestCase(DrillWorldTestCase):
    multi_role_personas = True

    def setUp(self):
        super().setUp()
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)

    def login(self, persona):
        # A fresh user object per login, so no scope is cached across personas.
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))


class PlanPageTests(PlanPagesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plans = {key: make_plan(getattr(cls, key)) for key in ("s1", "s2", "s3")}

    def upload(self, school, **fields):
        return self.client.post(
            reverse("drillplans:plan-upload"),
            {
                "school": school.pk,
                "plan_type": "fire",
                "title": "消防应急预案（修订）",
                "document": pdf(),
                "approved_on": "2026-10-01",
                "revision_due": "2027-10-01",
                **fields,
            },
        )

    def test_who_reads_the_list_and_the_history(self):
        for persona, keys in {
            "principal1": {"s1"},
            "police2": {"s2"},
            "city": {"s1", "s2"},
            "admin": {"s1", "s2", "s3"},
            "principal1_police2": {"s1", "s2"},
            "outsider": set(),
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                listed = set(self.client.get(reverse("drillplans:plans")).context["object_list"])
                self.assertEqual(listed, {self.plans[key] for key in keys})
                for key in ("s1", "s2", "s3"):
                    url = reverse("drillplans:plan-history", args=[getattr(self, key).pk, "fire"])
                    self.assertEqual(self.client.get(url).status_code, 200 if key in keys else 404)

    def test_who_uploads_where(self):
        url = reverse("drillplans:plan-upload")
        for persona in ("district1", "police1", "city", "outsider"):
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.upload(self.s1).status_code, 403)
        # The police school is no choice for a principal who is its liaison.
        self.login("principal1_police2")
        response = self.upload(self.s2)
        self.assertEqual(response.status_code, 400)
        self.assertIn("school", response.context["form"].errors)
        self.assertEqual(EmergencyPlan.objects.count(), 3)
        response = self.upload(self.s1)
        self.assertRedirects(
            response, reverse("drillplans:plan-history", args=[self.s1.pk, "fire"])
        )
        self.assertEqual(
            EmergencyPlan.objects.get(school=self.s1, version=2).title, "消防应急预案（修订）"
        )

    def test_a_bad_upload_shows_the_form_again_with_nothing_saved(self):
        self.login("officer1")
        response = self.upload(self.s1, revision_due="2026-01-01")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(EmergencyPlan.objects.count(), 3)
        self.assertEqual(
            self.client.get(
                reverse("drillplans:plan-history", args=[self.s1.pk, "nope"])
            ).status_code,
            404,
        )

    def test_the_history_lists_every_version_newest_first(self):
        self.login("principal1")
        self.upload(self.s1)
        page = self.client.get(reverse("drillplans:plan-history", args=[self.s1.pk, "fire"]))
        self.assertEqual([p.version for p in page.context["object_list"]], [2, 1])
        listed = self.client.get(reverse("drillplans:plans")).context["object_list"]
        self.assertEqual([p.version for p in listed], [2])


class TrainingPageTests(PlanPagesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sessions = {
            key: TrainingSession.objects.create(
                school=getattr(cls, key),
                audience="staff",
                held_on=DAY,
                topic="消防安全培训",
                trainer="消防站",
                attendees_count=30,
                hours=1,
            )
            for key in ("s1", "s2", "s3")
        }
        cls.member = make_member("王保安", cls.s1)
        cls.stranger = make_member("沾化志愿者", cls.s2)

    def data(self, **changes):
        return {
            "audience": "guards",
            "held_on": "2026-10-12",
            "topic": "防暴器械",
            "trainer": "李教官",
            "attendees_count": 5,
            "hours": "2",
            "members": [self.member.pk],
            "users": [self.officer1.pk],
            **changes,
        }

    def test_who_reads_the_list(self):
        for persona, keys in {
            "principal1": {"s1"},
            "police1": {"s1"},
            "district2": {"s2"},
            "district1_principal2": {"s1", "s2"},
            "outsider": set(),
        }.items():
            with self.subTest(persona=persona):
                self.login(persona)
                listed = set(self.client.get(reverse("drillplans:training")).context["object_list"])
                self.assertEqual(listed, {self.sessions[key] for key in keys})

    def test_who_adds_and_edits(self):
        add = reverse("drillplans:training-add", args=[self.s1.pk])
        edit = reverse("drillplans:training-edit", args=[self.sessions["s1"].pk])
        for persona, status in {"police1": 403, "district1": 403, "principal2": 404}.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.post(add, self.data()).status_code, status)
                self.assertEqual(self.client.post(edit, self.data()).status_code, status)
        self.assertEqual(TrainingSession.objects.count(), 3)
        self.login("principal1_police2")
        add_s2 = reverse("drillplans:training-add", args=[self.s2.pk])
        self.assertEqual(self.client.post(add_s2, self.data(members=[])).status_code, 403)
        response = self.client.post(add, self.data())
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["form"].errors,
        )
        session = TrainingSession.objects.get(topic="防暴器械")
        self.assertEqual(
            {str(a) for a in session.attendees.all()}, {str(self.member), str(self.officer1)}
        )
        response = self.client.post(edit, self.data(topic="改", members=[], users=[]))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.sessions["s1"].attendees.exists())

    def test_another_schools_member_is_no_choice(self):
        self.login("principal1")
        response = self.client.post(
            reverse("drillplans:training-add", args=[self.s1.pk]),
            self.data(members=[self.stranger.pk]),
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("members", response.context["form"].errors)
        response = self.client.post(
            reverse("drillplans:training-add", args=[self.s1.pk]), self.data(attendees_count=1)
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(TrainingSession.objects.count(), 3)


class DrillsMenuTests(PlanPagesTestCase):
    def menu(self, persona):
        """The hrefs of the one drills dropdown on the home page, or None without it."""
        self.login(persona)
        html = self.client.get(reverse("home")).content.decode()
        found = re.search(r'id="drills-menu".*?<ul class="dropdown-menu"[^>]*>(.*?)</ul>', html)
        return found and re.findall(r'href="([^"]+)"', found.group(1))

    def test_one_menu_holds_each_roles_drill_pages(self):
        plans = [
            reverse("drills:requirements"),
            reverse("drillplans:plans"),
            reverse("drillplans:training"),
        ]
        self.assertEqual(
            self.menu("principal1"),
            [reverse("drills:calendar-choice"), *plans]
            + [reverse("drillplans:records-school", args=[self.s1.pk])],
        )
        self.assertEqual(
            self.menu("district1"),
            [reverse("drills:compliance"), *plans]
            + [reverse("drillplans:records-district", args=[self.d1.pk])],
        )
        self.assertEqual(self.menu("police1"), plans)
        self.assertIsNone(self.menu("outsider"))
