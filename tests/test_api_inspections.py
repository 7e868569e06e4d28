"""The inspections API: the shared permission tests, the round's actions and the reports persona
by persona, and an answer's pinned query count."""

from django.db import transaction
from django.urls import reverse

from inspections import services
from inspections.models import Answer, ChecklistTemplate, Finding
from tests.permissions import ALL_PERSONAS, ActionChecks, ScopedAPITests
from tests.photos import jpeg, temporary_media, upload
from tests.rounds_world import MONDAY, NOW, RoundsWorldTestCase

SCHOOL_STAFF = {"admin", "principal1", "principal2", "officer1"}
CITY_STAFF = {"admin", "city"}
RANGE = {"start": MONDAY.isoformat(), "end": MONDAY.isoformat()}


class InspectionsAPITestCase(RoundsWorldTestCase):
    multi_role_personas = True

    def key_of(self, school):
        return next(key for key in ("s1", "s2", "s3") if getattr(self, key).pk == school.pk)


class CheckpointAPITests(ScopedAPITests, InspectionsAPITestCase):
    basename = "checkpoint"
    can_create = can_update = can_delete = SCHOOL_STAFF

    def object_for(self, school):
        return self.checkpoints[self.key_of(school)][1]

    def create_payload(self, school):
        return {"school": school.pk, "name": f"岗亭{self.seq()}", "kind": "booth"}

    def update_payload(self, obj):
        return {"description": f"东侧 {self.seq()}"}


class ChecklistTemplateAPITests(ScopedAPITests, InspectionsAPITestCase):
    basename = "checklisttemplate"
    can_create = can_update = can_delete = CITY_STAFF

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.city_templates = {
            city.pk: ChecklistTemplate.objects.create(
                city=city, code="own", name=f"{city.name} 巡查", source="市教育局"
            )
            for city in (cls.city_a, cls.city_b)
        }

    def object_for(self, school):
        return self.city_templates[school.district.city_id]

    def create_payload(self, school):
        return {
            "city": school.district.city_id,
            "code": f"t{self.seq()}",
            "name": "消防检查",
            "source": "市教育局",
        }

    def update_payload(self, obj):
        return {"description": f"第{self.seq()}版说明"}


class RoundAPITests(ScopedAPITests, InspectionsAPITestCase):
    basename = "round"
    can_create = SCHOOL_STAFF
    can_delete = {"admin"}
    supports_update = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rounds = {
            key: services.start_round(guard, getattr(cls, key), cls.rule, now=NOW)
            for key, guard in (("s1", cls.guard1), ("s2", cls.guard2), ("s3", cls.guard3))
        }

    def object_for(self, school):
        return self.rounds[self.key_of(school)]

    def create_payload(self, school):
        return {"school": school.pk, "rule": self.rule.pk}

    def update_payload(self, obj):
        return {"status": "complete"}

    def test_a_guard_starts_and_sees_only_their_own_rounds(self):
        client = self.api("guard1b")
        response = client.post(self.list_url(), self.create_payload(self.s1), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        own = response.json()["id"]
        self.assertEqual(self.list_ids("guard1b"), {own})
        self.assertEqual(client.get(self.detail_url(self.rounds["s1"])).status_code, 404)
        # Another school's round cannot be started: the school is not theirs.
        response = client.post(self.list_url(), self.create_payload(self.s2), format="json")
        self.assertEqual(response.status_code, 400)
        # A second round at the same school while one is open: refused, not a 500.
        response = client.post(self.list_url(), self.create_payload(self.s1), format="json")
        self.assertEqual(response.status_code, 400, response.content)

    def test_a_guard_runs_a_round_through_the_api(self):
        client = self.api("guard1")
        round_ = self.rounds["s1"]
        url = lambda name: reverse(f"round-{name}", args=[round_.pk])  # noqa: E731
        for checkpoint in self.checkpoints["s1"][:4]:
            response = client.post(url("scan"), {"checkpoint": checkpoint.pk}, format="json")
            self.assertEqual(response.status_code, 200, response.content)
            response = client.post(url("all-fine"), {"checkpoint": checkpoint.pk}, format="json")
            self.assertEqual(response.status_code, 200, response.content)
        response = client.post(
            url("answer"),
            {"checkpoint": self.checkpoints["s1"][0].pk, "item": self.items[1].pk, "passed": False},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(Finding.objects.filter(round=round_).exists())
        # A checkpoint of another school: not visible to the guard, 400.
        response = client.post(url("scan"), {"checkpoint": self.checkpoints["s2"][0].pk})
        self.assertEqual(response.status_code, 400)
        response = client.post(url("finish"))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "incomplete")
        self.assertEqual(response.json()["skipped"], [self.checkpoints["s1"][4].pk])

    def test_an_answer_costs_a_constant_number_of_queries(self):
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)
        round_ = self.rounds["s1"]
        gate = self.checkpoints["s1"][0]
        services.scan(round_, gate, now=NOW)
        client = self.api("guard1")
        url = reverse("round-answer", args=[round_.pk])
        client.post(url, {"checkpoint": gate.pk, "item": self.items[1].pk, "passed": False})
        # The first answer of this item, then the same item answered again:
        # (the signed-in user and their scope are already known to this client)
        # 1 the round with its school, rule, obligation and version,
        # 2 the object permission (the round in the user's change scope),
        # 3 the checkpoint, 4 the item of the round's version,
        # 5 savepoint (the write check), 6 the checkpoint scanned on this round?,
        # 7 the photo's checksum used before?, 8 savepoint (the answer),
        # 9 the earlier answer of this item, 10 its finding removed, 11 its
        # hazard nobody confirmed yet (withdrawn with it), 12 the answer
        # inserted or updated, 13 release, 14 the write check (the round in the
        # change scope), 15 release.
        for attempt in range(2):
            with self.subTest(attempt=attempt), self.assertNumQueries(15):
                response = client.post(
                    url,
                    {
                        "checkpoint": gate.pk,
                        "item": self.items[0].pk,
                        "passed": False,
                        "corrected_on_spot": True,
                        "photo": upload(jpeg()),
                    },
                    format="multipart",
                )
            self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Answer.objects.filter(round=round_, item=self.items[0]).count(), 1)


class InspectionRuleAPITests(InspectionsAPITestCase):
    def test_everyone_with_a_role_reads_the_rules_and_nobody_writes_them(self):
        for persona in (*ALL_PERSONAS, "guard1"):
            with self.subTest(persona=persona):
                response = self.api(persona).get(reverse("inspectionrule-list"))
                self.assertEqual(response.status_code, 200)
                ids = {row["id"] for row in response.json()["results"]}
                self.assertEqual(ids, set() if persona == "outsider" else {self.rule.pk})
                detail = self.api(persona).get(
                    reverse("inspectionrule-detail", args=[self.rule.pk])
                )
                self.assertEqual(detail.status_code, 404 if persona == "outsider" else 200)
        response = self.api("admin").post(reverse("inspectionrule-list"), {}, format="json")
        self.assertEqual(response.status_code, 405)


class RoundActionTests(ActionChecks, InspectionsAPITestCase):
    """The round's actions, the windows and the completion rates, persona by persona."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.rounds = {
            key: services.start_round(guard, getattr(cls, key), cls.rule, now=NOW)
            for key, guard in (("s1", cls.guard1), ("s2", cls.guard2), ("s3", cls.guard3))
        }
        for key, round_ in cls.rounds.items():
            services.scan(round_, cls.checkpoints[key][0], now=NOW)

    def check(self, name, send, allowed, foreign_status=404, guards=(200, 404)):
        super().check(name, send, allowed, foreign_status)
        # The guard: their own round at their school, nobody else's (and no reports).
        for guard, expected in zip(("guard1", "guard1b"), guards, strict=True):
            with self.subTest(action=name, persona=guard), transaction.atomic():
                response = send(self.api(guard), "s1")
                transaction.set_rollback(True)
                self.assertEqual(response.status_code, expected, response.content)

    def action(self, name, body=None):
        def send(client, key):
            body_of = body(key) if body else {}
            return client.post(
                reverse(f"round-{name}", args=[self.rounds[key].pk]), body_of, format="json"
            )

        return send

    def test_scan(self):
        self.check(
            "scan",
            self.action("scan", lambda key: {"checkpoint": self.checkpoints[key][1].pk}),
            SCHOOL_STAFF,
        )

    def test_answer(self):
        self.check(
            "answer",
            self.action(
                "answer",
                lambda key: {
                    "checkpoint": self.checkpoints[key][0].pk,
                    "item": self.items[0].pk,
                    "passed": True,
                },
            ),
            SCHOOL_STAFF,
        )

    def test_all_fine(self):
        self.check(
            "all-fine",
            self.action("all-fine", lambda key: {"checkpoint": self.checkpoints[key][0].pk}),
            SCHOOL_STAFF,
        )

    def test_finish(self):
        self.check("finish", self.action("finish"), SCHOOL_STAFF)

    def report(self, name):
        def send(client, key):
            return client.get(reverse(name), {"school": getattr(self, key).pk, **RANGE})

        return send

    def test_windows(self):
        self.check(
            "windows",
            self.report("inspection-windows"),
            set(ALL_PERSONAS),
            foreign_status=400,
            guards=(400, 400),
        )

    def test_completion(self):
        self.check(
            "completion",
            self.report("inspection-completion"),
            set(ALL_PERSONAS),
            foreign_status=400,
            guards=(400, 400),
        )

    def test_windows_and_rates_are_bounded_and_count_a_finished_round(self):
        services.finish(self.rounds["s1"], now=NOW)
        client = self.api("principal1")
        windows = client.get(reverse("inspection-windows"), {"school": self.s1.pk, **RANGE})
        self.assertEqual(
            [(row["rule_code"], row["completions"]) for row in windows.json()["results"]],
            [("patrol", 1)],
        )
        rates = client.get(
            reverse("inspection-completion"), {"school": self.s1.pk, **RANGE, "group_by": "school"}
        )
        self.assertEqual(rates.status_code, 200, rates.content)
        too_long = client.get(
            reverse("inspection-windows"), {"start": "2026-01-01", "end": "2026-12-31"}
        )
        self.assertEqual(too_long.status_code, 400)

    def test_rates_sort_by_rate_in_the_database(self):
        services.finish(self.rounds["s1"], now=NOW)
        client = self.api("city")
        url = reverse("inspection-completion")
        by_name = client.get(url, {**RANGE, "group_by": "school"}).json()["results"]
        self.assertEqual(
            {row["key"]: row["rate"] for row in by_name},
            {str(self.s1.pk): 1.0, str(self.s2.pk): 0.0, str(self.k1.pk): 0.0},
        )
        for ordering, s1_at in (("rate", -1), ("-rate", 0)):
            with self.subTest(ordering=ordering):
                rows = client.get(url, {**RANGE, "group_by": "school", "ordering": ordering})
                self.assertEqual(rows.json()["results"][s1_at]["key"], str(self.s1.pk))
        wrong = client.get(url, {**RANGE, "ordering": "name; drop table"})
        self.assertEqual(wrong.status_code, 400)
        self.assertIn("ordering", wrong.json())
