"""The checks API (equipment/api_checks.py): every persona, the multi-role ones included.

S1, S2 and S3 each hold dry-powder extinguishers on a floor and the guard
kit, short of its shield, in a gatehouse at their gate; each has a service
record, an alarm test, a video check and a confirmation naming the shield
missing. Records are created and read, never edited or deleted through the API.
"""

from django.urls import reverse

from equipment import checks, handover
from equipment.models import (
    AlarmTest,
    EquipmentType,
    KitConfirmation,
    KitShortage,
    Location,
    ServiceRecord,
    VideoCheck,
)
from tests.base import WorldTestCase
from tests.equipment_world import ensure_defaults, stock
from tests.obligations_world import D, at
from tests.permissions import ALL_PERSONAS, ActionChecks, ScopedAPITests

SCHOOL_STAFF = {"admin", "principal1", "principal2", "officer1"}
WRITERS = {"s1": "principal1", "s2": "principal2", "s3": None}
# The schools each persona reads (S1, S2 and S3 each have one of every record).
REACH = {
    "admin": {"s1", "s2", "s3"},
    "city": {"s1", "s2"},
    "district1": {"s1"},
    "principal2": {"s2"},
    "police1": {"s1"},
    "outsider": set(),
    "principal1_police2": {"s1", "s2"},
    "district1_principal2": {"s1", "s2"},
}
GUARD_KIT = ("steel-fork", "stab-vest", "helmet", "radio")


class ChecksAPITestCase(WorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_defaults()
        cls.types = {t.code: t for t in EquipmentType.objects.filter(city=None)}
        cls.places, cls.extinguishers, cls.records = {}, {}, {}
        for key in ("s1", "s2", "s3"):
            school = getattr(cls, key)
            writer = cls.users[WRITERS[key]] if WRITERS[key] else cls.admin
            floor = Location.objects.create(school=school, kind="floor", name="1层")
            gatehouse = Location.objects.create(
                school=school, kind="gatehouse", name="门卫室", gate=school.gates.get()
            )
            cls.places[key] = gatehouse
            cls.extinguishers[key] = [
                m.item for m in stock(writer, floor, cls.types["extinguisher-dry-powder"], 3)
            ]
            for code in GUARD_KIT:
                stock(writer, gatehouse, cls.types[code])
            cls.records[key] = {
                "service": checks.record_service(
                    writer,
                    school=school,
                    firm="维保公司",
                    certificate_number=f"{key}-1",
                    serviced_on=D(2026, 11, 2),
                    items=cls.extinguishers[key][:1],
                ),
                "alarm": checks.record_check(
                    writer,
                    AlarmTest(
                        school=school,
                        pressed_by="门卫",
                        pressed_at=at(D(2026, 11, 3), 9),
                        acknowledged_at=at(D(2026, 11, 3), 9, 2),
                    ),
                ),
                "video": checks.record_check(
                    writer,
                    VideoCheck(
                        school=school,
                        checked_at=at(D(2026, 11, 4), 9),
                        cameras_total=8,
                        cameras_working=8,
                        retention_days=30,
                    ),
                ),
                "confirmation": handover.confirm_kit(
                    writer, gatehouse, {cls.types["shield"].pk: 1}, now=at(D(2026, 11, 5), 7)
                ),
            }

    def key_of(self, school):
        return {self.s1.pk: "s1", self.s2.pk: "s2", self.s3.pk: "s3"}[school.pk]


class NeverDeletedMixin:
    supports_update = False

    def test_delete(self):
        # Records are never deleted through the API: not allowed for anyone.
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                for key in ("s1", "s2", "s3"):
                    obj = self.object_for(getattr(self, key))
                    response = self.api(persona).delete(self.detail_url(obj))
                    self.assertEqual(response.status_code, 405)
                    self.assertTrue(type(obj).objects.filter(pk=obj.pk).exists())


class ServiceRecordAPITests(NeverDeletedMixin, ScopedAPITests, ChecksAPITestCase):
    basename = "servicerecord"
    can_create = SCHOOL_STAFF

    def object_for(self, school):
        return self.records[self.key_of(school)]["service"]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "firm": "滨州消防维保",
            "certificate_number": f"C-{self.seq()}",
            "serviced_on": "2026-11-20",
            "items": [item.pk for item in self.extinguishers[self.key_of(school)]],
        }

    def update_payload(self, obj):
        return {"notes": "更正"}

    def test_a_piece_of_another_school_is_a_400_and_nothing_is_saved(self):
        payload = {**self.create_payload(self.s1), "items": [self.extinguishers["s2"][0].pk]}
        before = ServiceRecord.objects.count()
        response = self.api("principal1").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 400, response.content)
        response = self.api("admin").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("items", response.json())
        self.assertEqual(ServiceRecord.objects.count(), before)

    def test_the_list_costs_a_fixed_number_of_queries(self):
        client = self.api("admin")
        # The user's role assignments; the count, the page, the pieces (prefetch).
        with self.assertNumQueries(4):
            client.get(self.list_url())


class AlarmTestAPITests(NeverDeletedMixin, ScopedAPITests, ChecksAPITestCase):
    basename = "alarmtest"
    can_create = SCHOOL_STAFF

    def object_for(self, school):
        return self.records[self.key_of(school)]["alarm"]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "gate": school.gates.get().pk,
            "pressed_by": f"保安{self.seq()}",
            "pressed_at": "2026-11-20T09:00:00+08:00",
            "acknowledged_at": "2026-11-20T09:01:30+08:00",
            "arrived_at": "2026-11-20T09:08:00+08:00",
        }

    def update_payload(self, obj):
        return {"notes": "更正"}

    def test_times_out_of_order_are_a_400(self):
        payload = {**self.create_payload(self.s1), "acknowledged_at": "2026-11-20T08:00:00+08:00"}
        response = self.api("officer1").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("acknowledged_at", response.json())

    def test_a_gate_of_another_school_is_a_400(self):
        payload = {**self.create_payload(self.s1), "gate": self.s3.gates.get().pk}
        response = self.api("admin").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("gate", response.json())


class VideoCheckAPITests(NeverDeletedMixin, ScopedAPITests, ChecksAPITestCase):
    basename = "videocheck"
    can_create = SCHOOL_STAFF

    def object_for(self, school):
        return self.records[self.key_of(school)]["video"]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "checked_at": "2026-11-20T15:00:00+08:00",
            "cameras_total": 16,
            "cameras_working": 15,
            "retention_days": 25,
        }

    def update_payload(self, obj):
        return {"retention_days": 40}

    def test_a_short_retention_is_flagged_and_filtered(self):
        created = self.api("officer1").post(
            self.list_url(), self.create_payload(self.s1), format="json"
        )
        self.assertTrue(created.json()["is_flagged"])
        flagged = self.api("officer1").get(self.list_url(), {"flagged": "true"}).json()
        self.assertEqual([row["id"] for row in flagged["results"]], [created.json()["id"]])

    def test_more_cameras_working_than_there_are_is_a_400(self):
        payload = {**self.create_payload(self.s1), "cameras_working": 17}
        response = self.api("officer1").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("cameras_working", response.json())


class KitConfirmationAPITests(NeverDeletedMixin, ScopedAPITests, ChecksAPITestCase):
    basename = "kitconfirmation"
    can_create = SCHOOL_STAFF

    def object_for(self, school):
        return self.records[self.key_of(school)]["confirmation"]

    def create_payload(self, school):
        return {
            "location": self.places[self.key_of(school)].pk,
            "missing": [{"equipment_type": self.types["shield"].pk, "missing": 1}],
        }

    def update_payload(self, obj):
        return {"handover_ref": "x"}

    def test_kit_complete_in_one_post_resolves_the_missing_shield(self):
        response = self.api("officer1").post(
            self.list_url(), {"location": self.places["s1"].pk}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["is_complete"])
        self.assertFalse(KitShortage.objects.open().filter(school=self.s1).exists())

    def test_a_piece_not_in_the_kit_is_a_400(self):
        payload = {
            "location": self.places["s1"].pk,
            "missing": [{"equipment_type": self.types["extinguisher-co2"].pk, "missing": 1}],
        }
        before = KitConfirmation.objects.count()
        response = self.api("officer1").post(self.list_url(), payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("missing", response.json())
        self.assertEqual(KitConfirmation.objects.count(), before)


class KitShortageAPITests(ActionChecks, ChecksAPITestCase):
    def shortage(self, key):
        return KitShortage.objects.get(school=getattr(self, key))

    def test_list_and_detail_in_scope_only(self):
        for persona, keys in REACH.items():
            with self.subTest(persona):
                client = self.api(persona)
                rows = client.get(reverse("kitshortage-list")).json()["results"]
                self.assertEqual({row["id"] for row in rows}, {self.shortage(k).pk for k in keys})
                for key in ("s1", "s2", "s3"):
                    detail = client.get(reverse("kitshortage-detail", args=[self.shortage(key).pk]))
                    self.assertEqual(detail.status_code, 200 if key in keys else 404)

    def test_resolve(self):
        self.check(
            "resolve",
            lambda client, key: client.post(
                reverse("kitshortage-resolve", args=[self.shortage(key).pk])
            ),
            SCHOOL_STAFF,
        )

    def test_resolving_twice_is_a_400(self):
        url = reverse("kitshortage-resolve", args=[self.shortage("s1").pk])
        self.assertEqual(self.api("officer1").post(url).status_code, 200)
        self.assertEqual(self.api("officer1").post(url).status_code, 400)


class AlarmAndVideoAPITests(ActionChecks, ChecksAPITestCase):
    def test_alarm_and_video(self):
        def send(client, key):
            response = client.get(
                reverse("alarm-and-video"), {"district": getattr(self, key).district_id}
            )
            if response.status_code == 200:
                rows = response.json()["results"]
                if rows:
                    self.assertIn(getattr(self, key).pk, {row["school"] for row in rows})
                    row = next(r for r in rows if r["school"] == getattr(self, key).pk)
                    self.assertTrue(row["alarm_reached_police"])
                    self.assertTrue(row["video_ok"])
            return response

        self.check("alarm-and-video", send, set(ALL_PERSONAS), foreign_status=400)

    def test_the_query_count_does_not_grow_with_the_schools(self):
        client = self.api("city")
        # The count, the page of schools, their figures in one query.
        with self.assertNumQueries(4):
            client.get(reverse("alarm-and-video"))
