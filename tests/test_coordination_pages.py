"""The coordination pages, persona by persona and school by school (the MATRIX points
here): meetings and their minutes, action items, the register, legal vice-presidents."""

from django.db import transaction
from django.urls import reverse

from tests.coordination_world import (
    DAY,
    KEYS,
    CoordinationWorldTestCase,
    make_appointment,
    make_factor,
    make_item,
    make_meeting,
)
from tests.permissions import ALL_PERSONAS, PageChecks

ORGANISERS = {"admin", "city", "district1", "district2", "principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}
POLICE = {"admin", "police1", "police2"}
REPORTERS = POLICE | {"principal1", "principal2", "officer1"}
EVERYONE = set(ALL_PERSONAS)


class CoordinationPageChecks(PageChecks, CoordinationWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.items = {
            key: make_item(make_meeting(school=getattr(cls, key)), owner_school=getattr(cls, key))
            for key in KEYS
        }
        police = {"s1": cls.police1, "s2": cls.police2, "s3": None}
        cls.factors = {key: make_factor(getattr(cls, key), police[key]) for key in KEYS}

    def each_write(self, url_for, allowed, data, refused=403, foreign=404):
        """each_persona for a POST, undone after each request so every persona meets the
        same world: a redirect (302) if allowed, else `refused`, or `foreign` away."""
        for persona in ALL_PERSONAS:
            self.login(persona)
            for key, acting in self.cases(persona):
                with self.subTest(persona=persona, school=key):
                    with transaction.atomic():
                        response = self.client.post(url_for(key), data)
                        transaction.set_rollback(True)
                    if acting is None:
                        self.assertEqual(response.status_code, foreign)
                    elif acting in allowed:
                        self.assertEqual(response.status_code, 302, response.content[:500])
                    else:
                        self.assertEqual(response.status_code, refused)


class MeetingPageTests(CoordinationPageChecks):
    def meeting_url(self, name):
        return lambda key: reverse(name, args=[self.items[key].meeting_id])

    def test_meeting(self):
        self.each_persona(self.meeting_url("coordination:meeting"), EVERYONE)

    def test_meeting_print(self):
        self.each_persona(self.meeting_url("coordination:meeting-print"), EVERYONE)

    def test_adding_a_decision(self):
        self.each_write(self.meeting_url("coordination:meeting"), ORGANISERS, {"text": "加强巡逻"})

    def test_adding_an_action_item(self):
        def url(key):
            return reverse("coordination:meeting", args=[self.items[key].meeting_id])

        for persona in ("principal1", "district1"):
            self.login(persona)
            item = self.items["s1"]
            data = {
                "decision": item.decision_id,
                "title": "补齐监控",
                "owner_school": self.s1.pk,
                "due_on": DAY.isoformat(),
            }
            with transaction.atomic():
                self.assertEqual(self.client.post(url("s1"), data).status_code, 302)
                transaction.set_rollback(True)
        # An owner outside the meeting's school is a form error.
        response = self.client.post(url("s1"), {**data, "owner_school": self.k1.pk})
        self.assertEqual(response.status_code, 400)

    def test_meeting_add(self):
        self.only_roles(reverse("coordination:meeting-add"), ORGANISERS)
        self.login("district1")
        response = self.client.post(
            reverse("coordination:meeting-add"),
            {
                "level": "district",
                "district": self.d1.pk,
                "title": "区例会",
                "held_on": DAY.isoformat(),
            },
        )
        self.assertEqual(response.status_code, 302)
        self.login("principal1")
        response = self.client.post(
            reverse("coordination:meeting-add"),
            {
                "level": "district",
                "district": self.d1.pk,
                "title": "区例会",
                "held_on": DAY.isoformat(),
            },
        )
        self.assertEqual(response.status_code, 400)

    def test_meetings_and_items_lists(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(reverse("coordination:meetings")).status_code, 200)
                self.assertEqual(self.client.get(reverse("coordination:items")).status_code, 200)


class ItemPageTests(CoordinationPageChecks):
    def test_item(self):
        self.each_persona(
            lambda key: reverse("coordination:item", args=[self.items[key].pk]), EVERYONE
        )

    def test_marking_done(self):
        self.each_write(
            lambda key: reverse("coordination:item", args=[self.items[key].pk]),
            ORGANISERS,
            {"note": "已完成"},
        )


class RegisterPageTests(CoordinationPageChecks):
    def test_factor(self):
        self.each_persona(
            lambda key: reverse("coordination:factor", args=[self.factors[key].pk]),
            POLICE,
            refused=404,
        )

    def test_factor_change(self):
        self.each_write(
            lambda key: reverse("coordination:factor", args=[self.factors[key].pk]),
            POLICE,
            {"risk": 1, "review_on": DAY.isoformat(), "status": "resolved"},
            refused=404,
        )

    def test_factor_share(self):
        self.each_write(
            lambda key: reverse("coordination:factor-share", args=[self.factors[key].pk]),
            POLICE,
            {"unit": "district"},
            refused=404,
        )

    def test_factor_report(self):
        self.only_roles(reverse("coordination:factor-report"), REPORTERS)

    def test_factors(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(reverse("coordination:factors")).status_code, 200)


class LegalPageTests(CoordinationPageChecks):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for key in KEYS:
            make_appointment(getattr(cls, key))

    def test_legal(self):
        self.only_roles(reverse("coordination:legal"), BUREAU)

    def test_legal_school(self):
        self.each_persona(
            lambda key: reverse("coordination:legal-school", args=[getattr(self, key).pk]),
            EVERYONE,
        )

    def test_activity_add(self):
        self.only_roles(reverse("coordination:activity-add"), ORGANISERS | POLICE)

    def test_activities_export(self):
        self.each_persona(
            lambda key: reverse(
                "coordination:activities-export", args=[getattr(self, key).district_id]
            ),
            BUREAU,
        )
