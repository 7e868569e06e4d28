"""The hazard ledger's API: the shared permission tests, every action persona by persona
(the multi-role personas included), the read endpoints, filters and pinned query counts."""

import time_machine
from django.urls import reverse
from django.utils import timezone

from inspections.hazard_filing import allocate_numbers
from inspections.models import (
    DeadlineExtension,
    Hazard,
    HazardPhoto,
    SupervisionOrder,
    SupervisionReport,
)
from tests.base import ACTS_AS, FOREIGN_SCHOOLS
from tests.hazards_world import HazardWorldTestCase, days, photo, today
from tests.permissions import ALL_PERSONAS, ActionChecks, ScopedAPITests

RECTIFIERS = {"admin", "city", "district1", "district2", "principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}
DECIDERS = {"admin", "city", "district1", "district2", "principal1", "principal2"}
EVERYONE = set(ALL_PERSONAS) - {"outsider"}


def make(school, state="reported", level="general", **fields):
    """A hazard in `state` straight in the database (the services are tested elsewhere)."""
    now = timezone.now()
    hazard = Hazard(
        school=school,
        year=now.year,
        found_at=fields.pop("found_at", now - days(2)),
        place="操场",
        category="fire",
        description="灭火器过期",
        level=level,
        state=state,
        deadline=fields.pop("deadline", today() + days(5)),
        **fields,
    )
    allocate_numbers([hazard])
    hazard.save()
    return hazard


class HazardAPITestCase(HazardWorldTestCase):
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.by_state = {}
        for key in ("s1", "s2", "s3"):
            school = getattr(cls, key)
            states = {
                state: make(school, state)
                for state in ("reported", "confirmed", "rectifying", "submitted")
            }
            states["verified"] = make(school, "verified", verified_at=timezone.now())
            states["major"] = make(school, "verified", "major", verified_at=timezone.now())
            for hazard in (states["verified"], states["major"]):
                HazardPhoto.objects.create(
                    hazard=hazard,
                    kind="after",
                    image="hazard-photos/x.jpg",
                    uploaded_at=timezone.now(),
                )
            states["extension"] = DeadlineExtension.objects.create(
                hazard=states["rectifying"],
                requested_at=timezone.now(),
                reason="采购",
                new_deadline=today() + days(30),
            )
            supervised = make(school, "rectifying", "major", supervised=True)
            states["order"] = SupervisionOrder.objects.create(
                hazard=supervised,
                level="district",
                measures="m",
                responsibility="r",
                funds="f",
                deadline=today() + days(20),
                contingency_plan="c",
                issued_at=timezone.now(),
            )
            states["report"] = SupervisionReport.objects.create(
                order=states["order"], reported_at=timezone.now(), progress="进展"
            )
            states["event"] = states["reported"].events.create(
                kind="reported", to_state="reported", at=timezone.now()
            )
            cls.by_state[key] = states


class HazardPermissionTests(ScopedAPITests, HazardAPITestCase):
    basename = "hazard"
    can_create = EVERYONE
    can_delete = {"admin"}
    supports_update = False

    def object_for(self, school):
        return self.by_state[self.key_of(school)]["reported"]

    def key_of(self, school):
        return next(key for key in ("s1", "s2", "s3") if getattr(self, key) == school)

    def create_payload(self, school):
        return {
            "school": school.pk,
            "description": "围墙破损",
            "category": "perimeter",
            "place": "北墙",
        }

    def update_payload(self, obj):
        return {"description": "x"}


class HazardActionTests(ActionChecks, HazardAPITestCase):
    def post(self, route, state, body=None, fmt="json"):
        def send(client, key):
            target = self.by_state[key][state]
            data = body(key) if callable(body) else (body or {})
            return client.post(reverse(route, args=[target.pk]), data, format=fmt)

        return send

    def test_confirm(self):
        self.check("confirm", self.post("hazard-confirm", "reported"), RECTIFIERS)

    def test_reject(self):
        self.check("reject", self.post("hazard-reject", "reported", {"reason": "不是"}), RECTIFIERS)

    def test_merge(self):
        body = lambda key: {"duplicate_of": self.by_state[key]["confirmed"].pk}  # noqa: E731
        self.check("merge", self.post("hazard-merge", "reported", body), RECTIFIERS)

    def test_assign(self):
        self.check(
            "assign", self.post("hazard-assign", "confirmed", {"measures": "换"}), RECTIFIERS
        )

    def test_submit(self):
        body = lambda key: {"rectification": "已换", "photos": [photo()]}  # noqa: E731
        self.check(
            "submit", self.post("hazard-submit", "rectifying", body, "multipart"), RECTIFIERS
        )

    def test_return(self):
        self.check(
            "return", self.post("hazard-return", "submitted", {"reason": "未完成"}), RECTIFIERS
        )

    def test_verify(self):
        self.check("verify", self.post("hazard-verify", "submitted"), RECTIFIERS)

    def test_sign_off(self):
        self.check("sign-off", self.post("hazard-sign-off", "major"), BUREAU)

    def test_close(self):
        self.check("close", self.post("hazard-close", "verified"), RECTIFIERS)

    def test_extend(self):
        body = {"new_deadline": (today() + days(40)).isoformat(), "reason": "工期"}
        self.check(
            "extend", self.expect_201(self.post("hazard-extend", "confirmed", body)), RECTIFIERS
        )

    def test_supervise(self):
        body = {
            "level": "district",
            "measures": "m",
            "responsibility": "r",
            "funds": "f",
            "deadline": (today() + days(10)).isoformat(),
            "contingency_plan": "c",
        }
        self.check(
            "supervise", self.expect_201(self.post("hazard-supervise", "major", body)), BUREAU
        )

    def test_extension_decide(self):
        body = {"approve": True}
        self.check("decide", self.post("deadlineextension-decide", "extension", body), DECIDERS)

    def test_order_report(self):
        body = {"progress": "已停用"}
        self.check(
            "report",
            self.expect_201(self.post("supervisionorder-report", "order", body)),
            RECTIFIERS,
        )

    def test_order_lift(self):
        self.check("lift", self.post("supervisionorder-lift", "order", {"note": "ok"}), BUREAU)

    def expect_201(self, send):
        """An action that creates answers 201; the checks expect 200 for success."""

        def sent(client, key):
            response = send(client, key)
            if response.status_code == 201:
                response.status_code = 200
            return response

        return sent


class ReadEndpointTests(HazardAPITestCase):
    """Events, extensions, orders and reports: each persona sees those of its schools."""

    ROUTES = {
        "hazardevent": "event",
        "deadlineextension": "extension",
        "supervisionorder": "order",
        "supervisionreport": "report",
    }

    def test_each_persona_sees_its_schools_only(self):
        for basename, state in self.ROUTES.items():
            for persona in ALL_PERSONAS:
                with self.subTest(endpoint=basename, persona=persona):
                    client = self.api(persona)
                    listed = {
                        row["id"]
                        for row in client.get(
                            reverse(f"{basename}-list"), {"page_size": 500}
                        ).json()["results"]
                    }
                    for key in ACTS_AS[persona]:
                        obj = self.by_state[key][state]
                        self.assertIn(obj.pk, listed)
                        url = reverse(f"{basename}-detail", args=[obj.pk])
                        self.assertEqual(client.get(url).status_code, 200)
                    for key in FOREIGN_SCHOOLS[persona]:
                        obj = self.by_state[key][state]
                        self.assertNotIn(obj.pk, listed)
                        url = reverse(f"{basename}-detail", args=[obj.pk])
                        self.assertEqual(client.get(url).status_code, 404)
            response = self.api("admin").post(reverse(f"{basename}-list"), {}, format="json")
            self.assertEqual(response.status_code, 405)


class FilterAndQueryTests(HazardAPITestCase):
    def ids(self, persona="district1", **params):
        response = self.api(persona).get(reverse("hazard-list"), {"page_size": 500, **params})
        self.assertEqual(response.status_code, 200, response.content)
        return {row["id"] for row in response.json()["results"]}

    def test_filters(self):
        s1 = self.by_state["s1"]
        late = make(self.s1, "rectifying", deadline=today() - days(1))
        old = make(self.s1, "confirmed", found_at=timezone.now() - days(100))
        self.assertEqual(self.ids(overdue="true"), {late.pk})
        self.assertNotIn(late.pk, self.ids(overdue="false"))
        self.assertEqual(self.ids(state="submitted"), {s1["submitted"].pk})
        self.assertEqual(self.ids(level="major"), {s1["major"].pk, s1["order"].hazard_id})
        self.assertEqual(self.ids(supervised="true"), {s1["order"].hazard_id})
        self.assertEqual(self.ids(min_age=50), {old.pk})
        self.assertNotIn(old.pk, self.ids(max_age=50))
        self.assertEqual(
            self.ids("city", district=self.d2.pk),
            set(Hazard.objects.filter(school=self.s2).values_list("pk", flat=True)),
        )
        recurring = make(self.s1, "reported", recurrence_of=s1["verified"])
        self.assertEqual(self.ids(recurrence="true"), {recurring.pk})
        response = self.api("district1").get(reverse("hazard-list"), {"overdue": "true"})
        [row] = response.json()["results"]
        self.assertEqual((row["is_overdue"], row["ledger_number"]), (True, late.ledger_number))

    def test_overdue_is_judged_on_the_day_of_the_request(self):
        # Not on the day the server process started (the viewset's queryset is built
        # once, at import).
        due = make(self.s1, "rectifying", deadline=today() + days(1))
        url = reverse("hazard-detail", args=[due.pk])
        self.assertFalse(self.api("district1").get(url).json()["is_overdue"])
        self.assertNotIn(due.pk, self.ids(overdue="true"))
        with time_machine.travel(timezone.now() + days(3)):
            self.assertTrue(self.api("district1").get(url).json()["is_overdue"])
            self.assertIn(due.pk, self.ids(overdue="true"))

    def test_the_list_costs_a_constant_number_of_queries(self):
        # 1 the user's roles (the scope), 2 the count, 3 the page of hazards
        # (with is_overdue), 4 their photos.
        for extra in (0, 5):
            for _ in range(extra):
                make(self.s1, "confirmed")
            client = self.api("district1")
            with self.subTest(extra=extra), self.assertNumQueries(4):
                self.assertEqual(client.get(reverse("hazard-list")).status_code, 200)

    def test_a_transition_costs_a_constant_number_of_queries(self):
        # 1 the scope, 2 the hazard (the object), 3 the object permission,
        # 4 savepoint, 5 the hazard locked, 6 saved, 7 its event, 8 the write
        # check, 9 release, 10 the representation with 11 its photos.
        for attempt in range(2):
            hazard = make(self.s1, "submitted")
            client = self.api("principal1")
            with self.subTest(attempt=attempt), self.assertNumQueries(11):
                response = client.post(reverse("hazard-verify", args=[hazard.pk]))
                self.assertEqual(response.status_code, 200, response.content)


class ConflictTests(HazardAPITestCase):
    def test_a_second_verification_is_a_409_and_leaves_one_event(self):
        hazard = self.by_state["s1"]["submitted"]
        url = reverse("hazard-verify", args=[hazard.pk])
        self.assertEqual(self.api("principal1").post(url).status_code, 200)
        response = self.api("district1").post(url)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["state"], "verified")
        self.assertEqual(hazard.events.filter(kind="verified").count(), 1)

    def test_bad_input_is_a_400_and_nothing_is_saved(self):
        hazard = self.by_state["s1"]["rectifying"]
        url = reverse("hazard-submit", args=[hazard.pk])
        response = self.api("officer1").post(url, {"rectification": "x"}, format="multipart")
        self.assertEqual(response.status_code, 400)
        self.assertIn("photos", response.json())
        response = self.api("officer1").post(
            reverse("hazard-extend", args=[hazard.pk]),
            {"new_deadline": "2001-01-01", "reason": "x"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        hazard.refresh_from_db()
        self.assertEqual((hazard.state, hazard.extensions.count()), ("rectifying", 1))

    def test_the_full_flow_through_the_api(self):
        client = self.api("officer1")
        created = client.post(
            reverse("hazard-list"),
            {
                "school": self.s1.pk,
                "description": "配电箱无门",
                "category": "electrical",
                "checkpoint": self.gates["s1"].pk,
                "photos": [photo("before.jpg")],
            },
            format="multipart",
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        boss = self.api("principal1")
        self.assertEqual(boss.post(reverse("hazard-confirm", args=[pk])).status_code, 200)
        assigned = boss.post(
            reverse("hazard-assign", args=[pk]),
            {"responsible_person": self.officer1.pk, "measures": "加装箱门", "funds": "200"},
            format="json",
        )
        self.assertEqual(assigned.status_code, 200, assigned.content)
        submitted = client.post(
            reverse("hazard-submit", args=[pk]),
            {"rectification": "已加装", "photos": [photo()]},
            format="multipart",
        )
        self.assertEqual(submitted.status_code, 200, submitted.content)
        self.assertEqual(client.post(reverse("hazard-verify", args=[pk])).status_code, 403)
        self.assertEqual(boss.post(reverse("hazard-verify", args=[pk])).status_code, 200)
        closed = boss.post(reverse("hazard-close", args=[pk]))
        self.assertEqual(closed.json()["state"], "closed")
        self.assertEqual(sorted(p["kind"] for p in closed.json()["photos"]), ["after", "before"])
        # The photos are served to those who see the hazard only.
        url = closed.json()["photos"][0]["image"]
        self.client.force_login(self.principal1)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.client.force_login(self.principal2)
        self.assertEqual(self.client.get(url).status_code, 404)
        events = client.get(reverse("hazardevent-list"), {"hazard": pk}).json()["results"]
        self.assertEqual(
            [e["kind"] for e in events],
            ["reported", "confirmed", "assigned", "submitted", "verified", "closed"],
        )
