"""The coordination API joins the shared permission tests: meetings, decisions, action
items, the instability register (police only), appointments and activities; the custom
actions persona by persona (ActionMatrixTests); pinned query counts on lists and writes."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coordination.models import Decision
from tests.base import ACTS_AS, FOREIGN_SCHOOLS
from tests.coordination_world import (
    DAY,
    KEYS,
    CoordinationWorldTestCase,
    make_activity,
    make_appointment,
    make_factor,
    make_item,
    make_meeting,
)
from tests.permissions import ALL_PERSONAS, ActionChecks, ScopedAPITests
from tests.photos import temporary_media

ORGANISERS = {"admin", "city", "district1", "district2", "principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}
POLICE = {"admin", "police1", "police2"}
REPORTERS = {*POLICE, "principal1", "principal2", "officer1"}
ACTIVITY_WRITERS = ORGANISERS | POLICE
# Who may mark a school's item of its own meeting done: its staff, its bureaus (not police).
COMPLETERS = ORGANISERS


class MeetingAPITests(ScopedAPITests, CoordinationWorldTestCase):
    basename = "meeting"
    can_create = can_update = can_delete = ORGANISERS

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.meetings = {key: make_meeting(school=getattr(cls, key)) for key in KEYS}

    def object_for(self, school):
        return self.meetings[self.key_of(school)]

    def create_payload(self, school):
        return {
            "level": "school",
            "school": school.pk,
            "title": f"安全例会 {self.seq()}",
            "held_on": DAY.isoformat(),
            "attendees": [{"name": "王警官", "organisation": "市中派出所"}],
        }

    def update_payload(self, obj):
        return {"minutes": f"会议纪要 {self.seq()}"}

    def test_the_list_costs_a_constant_number_of_queries(self):
        for n in range(4):
            make_meeting(school=self.s1, title=f"例会{n}")
        for more in range(2):
            client = self.api("principal1")
            # Roles, count, the page with its counts, then its schools, districts, attendees,
            # attachments.
            with self.assertNumQueries(7):
                response = client.get(reverse("meeting-list"))
            self.assertEqual(response.json()["count"], 5 + more)
            make_meeting(school=self.s1)

    def test_a_district_meeting_is_not_the_school_s_to_write(self):
        response = self.api("principal1").post(
            reverse("meeting-list"),
            {
                "level": "district",
                "district": self.d1.pk,
                "title": "区例会",
                "held_on": "2026-10-12",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 403, response.content)

    def test_a_city_meeting_is_seen_by_the_districts_it_names(self):
        meeting = make_meeting(city=self.city_a, title="市联席会议")
        self.assertNotIn(meeting.pk, self.list_ids("district1"))
        meeting.named_districts.add(self.d1)
        self.assertIn(meeting.pk, self.list_ids("district1"))
        self.assertNotIn(meeting.pk, self.list_ids("district2"))
        self.assertIn(meeting.pk, self.list_ids("city"))
        self.assertNotIn(meeting.pk, self.list_ids("principal1"))

    def test_bad_input_is_400_with_field_errors(self):
        response = self.api("district1").post(
            reverse("meeting-list"), {"level": "district", "title": ""}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("title", response.json())


class DecisionAPITests(ScopedAPITests, CoordinationWorldTestCase):
    basename = "decision"
    can_create = can_update = can_delete = ORGANISERS

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.meetings = {key: make_meeting(school=getattr(cls, key)) for key in KEYS}
        cls.decisions = {
            key: Decision.objects.create(meeting=m, text="加强门卫")
            for key, m in cls.meetings.items()
        }

    def object_for(self, school):
        return self.decisions[self.key_of(school)]

    def create_payload(self, school):
        return {"meeting": self.meetings[self.key_of(school)].pk, "text": f"决定 {self.seq()}"}

    def update_payload(self, obj):
        return {"text": f"决定 {self.seq()}"}


class ActionItemAPITests(ScopedAPITests, CoordinationWorldTestCase):
    basename = "actionitem"
    can_create = can_update = can_delete = ORGANISERS

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.items = {
            key: make_item(make_meeting(school=getattr(cls, key)), owner_school=getattr(cls, key))
            for key in KEYS
        }

    def object_for(self, school):
        return self.items[self.key_of(school)]

    def create_payload(self, school):
        item = self.items[self.key_of(school)]
        return {
            "decision": item.decision_id,
            "title": f"整改 {self.seq()}",
            "owner_school": school.pk,
            "due_on": DAY.isoformat(),
        }

    def update_payload(self, obj):
        return {"due_on": (DAY + datetime.timedelta(days=self.seq() % 20)).isoformat()}

    def test_an_owner_outside_the_meeting_s_unit_is_400(self):
        item = self.items["s1"]
        response = self.api("admin").post(
            reverse("actionitem-list"),
            {
                "decision": item.decision_id,
                "title": "x",
                "owner_school": self.s2.pk,
                "due_on": DAY.isoformat(),
            },
            format="json",
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("owner_school", response.json())

    def test_the_list_costs_a_constant_number_of_queries(self):
        meeting = self.items["s1"].meeting
        for more in range(2):
            make_item(meeting, owner_school=self.s1)
            client = self.api("principal1")
            # Roles, count, the page of items with their evidence.
            with self.assertNumQueries(3):
                response = client.get(reverse("actionitem-list"))
            self.assertEqual(response.json()["count"], 2 + more)


class RegisterReadersMixin:
    """A factor is read by the police of its school's station (and admins) only: at the
    schools a persona reaches as anyone else, the factor is as good as missing."""

    readers = POLICE

    def reached(self, persona):
        return [(obj, may) for obj, may in super().reached(persona) if may(self.readers)]

    def foreign_objects(self, persona):
        reached = {obj.pk for obj, _may in self.reached(persona)}
        keys = [*ACTS_AS[persona], *FOREIGN_SCHOOLS[persona]]
        return [
            obj for key in keys if (obj := self.object_for(getattr(self, key))).pk not in reached
        ]


class FactorAPITests(RegisterReadersMixin, ScopedAPITests, CoordinationWorldTestCase):
    basename = "factor"
    can_create = REPORTERS
    can_update = POLICE
    supports_delete = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        police = {"s1": cls.police1, "s2": cls.police2, "s3": None}
        cls.factors = {key: make_factor(getattr(cls, key), police[key]) for key in KEYS}

    def object_for(self, school):
        return self.factors[self.key_of(school)]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "category": "person",
            "risk": 3,
            "description": f"校门口有可疑人员徘徊 {self.seq()}",
            "review_on": DAY.isoformat(),
        }

    def update_payload(self, obj):
        return {"measures": f"增派巡逻 {self.seq()}"}

    def test_each_read_is_logged(self):
        from auditlog.models import LogEntry

        before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
        self.api("police1").get(reverse("factor-list"))
        self.api("police1").get(self.detail_url(self.factors["s1"]))
        entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
        self.assertEqual(entries.count(), before + 2)
        self.assertEqual(
            {(e.object_id, e.actor.username) for e in entries[before:]},
            {(self.factors["s1"].pk, "police1")},
        )

    def test_the_list_costs_a_constant_number_of_queries(self):
        for more in range(2):
            make_factor(self.s1, self.police1)
            client = self.api("police1")
            # Roles, count, the page with schools, its shares, the access log's INSERT.
            with self.assertNumQueries(5):
                response = client.get(reverse("factor-list"))
            self.assertEqual(response.json()["count"], 2 + more)


class AppointmentAPITests(ScopedAPITests, CoordinationWorldTestCase):
    basename = "appointment"
    can_create = can_update = can_delete = BUREAU

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.appointments = {key: make_appointment(getattr(cls, key)) for key in KEYS}

    def object_for(self, school):
        return self.appointments[self.key_of(school)]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "name": "李法官",
            "organisation": "court",
            "phone": "13900001111",
            "starts_on": (DAY + datetime.timedelta(days=self.seq() % 30)).isoformat(),
        }

    def update_payload(self, obj):
        return {"position": f"副庭长 {self.seq()}"}

    def test_the_phone_is_masked(self):
        response = self.api("district1").get(self.detail_url(self.appointments["s1"]))
        self.assertEqual(response.json()["phone"], "138****5678")


class ActivityAPITests(ScopedAPITests, CoordinationWorldTestCase):
    basename = "activity"
    can_create = can_update = can_delete = ACTIVITY_WRITERS

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.activities = {key: make_activity(getattr(cls, key)) for key in KEYS}

    def object_for(self, school):
        return self.activities[self.key_of(school)]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "held_on": DAY.isoformat(),
            "activity_type": "safety_talk",
            "audience": "pupils",
            "participants": 120,
        }

    def update_payload(self, obj):
        return {"participants": self.seq() % 500}


class ActionMatrixTests(ActionChecks, CoordinationWorldTestCase):
    """The custom actions and the compliance report, persona by persona and school by school."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.items = {
            key: make_item(make_meeting(school=getattr(cls, key)), owner_school=getattr(cls, key))
            for key in KEYS
        }
        police = {"s1": cls.police1, "s2": cls.police2, "s3": None}
        cls.factors = {key: make_factor(getattr(cls, key), police[key]) for key in KEYS}

    def test_meeting_attach(self):
        def send(client, key):
            document = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes", "application/pdf")
            return client.post(
                reverse("meeting-attach", args=[self.items[key].meeting_id]),
                {"file": document, "title": "签字版纪要"},
                format="multipart",
            )

        with temporary_media(self):
            self.check("attach", send, ORGANISERS)

    def test_an_attachment_must_be_a_document(self):
        with temporary_media(self):
            response = self.api("principal1").post(
                reverse("meeting-attach", args=[self.items["s1"].meeting_id]),
                {"file": SimpleUploadedFile("x.exe", b"MZ", "application/octet-stream")},
                format="multipart",
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.json())

    def test_actionitem_complete(self):
        self.check(
            "complete",
            lambda client, key: client.post(
                reverse("actionitem-complete", args=[self.items[key].pk]),
                {"note": "已加装"},
                format="json",
            ),
            COMPLETERS,
        )

    def test_actionitem_hazard(self):
        self.check(
            "hazard",
            lambda client, key: client.post(
                reverse("actionitem-hazard", args=[self.items[key].pk])
            ),
            ORGANISERS,
        )

    def factor_action(self, name, data=None):
        # Anyone but the police does not see the factor at all: 404, as for a missing one.
        self.check(
            name,
            lambda client, key: client.post(
                reverse(f"factor-{name}", args=[self.factors[key].pk]), data or {}, format="json"
            ),
            POLICE,
            refused_status=404,
        )

    def test_factor_share(self):
        self.factor_action("share", {"unit": "district"})

    def test_factor_unshare(self):
        self.factor_action("unshare", {"unit": "district"})

    def test_factor_hazard(self):
        self.factor_action("hazard")

    def test_compliance(self):
        def send(client, key):
            school = getattr(self, key)
            response = client.get(reverse("legal-vp-compliance"), {"district": school.district_id})
            if response.status_code == 200:
                rows = response.json()["results"]
                self.assertIn(school.pk, {row["school"] for row in rows})
            return response

        self.check("compliance", send, set(ALL_PERSONAS), foreign_status=400)
