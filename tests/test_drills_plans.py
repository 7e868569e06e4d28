"""Emergency plans and training sessions: the API's permission tests, versions, revisions asked
for by a drill, attendees, and a member's training history."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from drills import plans
from drills.models import Drill, EmergencyPlan, TrainingSession
from drills.models_training import TrainingAttendee
from schools.models import ObligationWindow
from tests.drills_world import DAY, DrillWorldTestCase
from tests.obligations_world import D, at
from tests.permissions import ScopedAPITests
from tests.photos import temporary_media
from tests.posts_world import make_member

SCHOOL_STAFF = {"admin", "principal1", "principal2", "officer1"}


def pdf(name="预案.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% plan\n", content_type="application/pdf")


def make_plan(school, version=1, plan_type="fire", **fields):
    fields.setdefault("title", f"{school.name} 消防应急预案")
    fields.setdefault("approved_on", D(2026, 3, 1))
    fields.setdefault("revision_due", D(2027, 3, 1))
    return EmergencyPlan.objects.create(
        school=school,
        plan_type=plan_type,
        version=version,
        document=f"emergency-plans/2026/{school.pk}-{plan_type}-{version}.pdf",
        **fields,
    )


class PlansTestCase(DrillWorldTestCase):
    multi_role_personas = True

    def setUp(self):
        super().setUp()
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)

    def key_of(self, school):
        return next(key for key in ("s1", "s2", "s3") if getattr(self, key).pk == school.pk)


class EmergencyPlanAPITests(ScopedAPITests, PlansTestCase):
    basename = "emergencyplan"
    can_create = can_delete = SCHOOL_STAFF
    supports_update = False
    create_format = "multipart"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plans = {key: make_plan(getattr(cls, key)) for key in ("s1", "s2", "s3")}

    def object_for(self, school):
        return self.plans[self.key_of(school)]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "plan_type": "fire",
            "title": "修订版",
            "document": pdf(),
            "approved_on": "2026-10-01",
            "revision_due": "2027-10-01",
        }

    def update_payload(self, obj):
        return {"title": "改名"}


class TrainingSessionAPITests(ScopedAPITests, PlansTestCase):
    basename = "trainingsession"
    can_create = can_update = can_delete = SCHOOL_STAFF

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sessions = {
            key: TrainingSession.objects.create(
                school=getattr(cls, key),
                audience="guards",
                held_on=DAY,
                topic="防暴器械使用",
                trainer="李教官",
                attendees_count=6,
                hours=2,
            )
            for key in ("s1", "s2", "s3")
        }

    def object_for(self, school):
        return self.sessions[self.key_of(school)]

    def create_payload(self, school):
        return {
            "school": school.pk,
            "audience": "staff",
            "held_on": "2026-10-12",
            "topic": "灭火器使用",
            "trainer": "消防救援站",
            "attendees_count": 40,
            "hours": "1.5",
        }

    def update_payload(self, obj):
        return {"topic": f"第{self.seq()}期"}


class PlanVersionTests(PlansTestCase):
    def upload(self, persona="principal1", **fields):
        payload = {
            "school": self.s1.pk,
            "plan_type": "fire",
            "title": "消防应急预案",
            "document": pdf(),
            "approved_on": "2026-10-01",
            "revision_due": "2027-10-01",
            **fields,
        }
        return self.api(persona).post(reverse("emergencyplan-list"), payload, format="multipart")

    def test_each_upload_is_the_next_version_and_the_newest_is_current(self):
        self.assertEqual(self.upload().json()["version"], 1)
        self.assertEqual(self.upload(title="第二版").json()["version"], 2)
        self.assertEqual(self.upload(plan_type="earthquake").json()["version"], 1)
        response = self.api("principal1").get(reverse("emergencyplan-list"), {"current": "true"})
        rows = {(row["plan_type"], row["version"]) for row in response.json()["results"]}
        self.assertEqual(rows, {("fire", 2), ("earthquake", 1)})
        self.assertEqual(EmergencyPlan.objects.get(version=2).uploaded_by, self.principal1)

    def test_a_bad_document_or_review_date_is_a_400_with_nothing_saved(self):
        exe = SimpleUploadedFile("plan.exe", b"MZ", content_type="application/octet-stream")
        response = self.upload(document=exe)
        self.assertEqual(response.status_code, 400)
        self.assertIn("document", response.json())
        response = self.upload(revision_due="2026-09-01")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertFalse(EmergencyPlan.objects.exists())

    def test_versions_are_not_edited(self):
        plan = make_plan(self.s1)
        response = self.api("principal1").patch(
            reverse("emergencyplan-detail", args=[plan.pk]), {"title": "x"}, format="json"
        )
        self.assertEqual(response.status_code, 405)

    def test_the_document_is_served_to_those_who_see_the_school_only(self):
        self.upload()
        plan = EmergencyPlan.objects.get()
        url = reverse("media", args=[plan.document.name])
        for persona, expected in (("police1", 200), ("district1", 200), ("principal2", 404)):
            with self.subTest(persona=persona):
                self.client.force_login(self.users[persona])
                response = self.client.get(url)
                self.assertEqual(response.status_code, expected)
                if expected == 200:
                    self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4\n% plan\n")

    def test_a_drill_asking_for_a_revision_waits_for_a_later_version(self):
        # The plan in force when the drill was held.
        EmergencyPlan.objects.filter(pk=make_plan(self.s1).pk).update(created=at(D(2026, 3, 1)))
        drill = self.held_drill(self.s1, "fire_evacuation")
        drill.plan_must_be_revised = True
        drill.save()
        # A drill that asked for nothing is not listed.
        self.held_drill(self.s1, "earthquake")
        [waiting] = plans.revisions_requested(Drill.objects.all())
        self.assertEqual((waiting, waiting.revised_plan_type), (drill, "fire"))
        # Another type's new version does not answer it; the fire plan's does.
        self.upload(plan_type="earthquake")
        self.assertTrue(plans.revisions_requested(Drill.objects.all()).exists())
        self.upload()
        self.assertFalse(plans.revisions_requested(Drill.objects.all()).exists())

    def test_overdue_reviews_are_the_current_versions_past_their_date(self):
        make_plan(self.s1, 1, revision_due=D(2026, 9, 1))
        make_plan(self.s1, 2, revision_due=D(2027, 9, 1))
        old = make_plan(self.s2, 1, revision_due=D(2026, 9, 1))
        overdue = plans.overdue_reviews(EmergencyPlan.objects.all(), today=D(2026, 10, 1))
        self.assertEqual(list(overdue), [old])


class TrainingAttendeeTests(PlansTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.guard = make_member("王保安", cls.s1, kind="community_worker")
        cls.other = make_member("赵志愿者", cls.s2)

    def payload(self, **fields):
        return {
            "school": self.s1.pk,
            "audience": "guards",
            "held_on": "2026-10-12",
            "topic": "防暴器械使用",
            "trainer": "李教官",
            "attendees_count": 3,
            "hours": "2.0",
            "members": [self.guard.pk],
            "users": [self.officer1.pk],
            **fields,
        }

    def post(self, persona="principal1", **fields):
        return self.api(persona).post(
            reverse("trainingsession-list"), self.payload(**fields), format="json"
        )

    def test_a_session_with_members_and_staff_counts_towards_the_term(self):
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["members"], [self.guard.pk])
        self.assertEqual(response.json()["users"], [self.officer1.pk])
        session = TrainingSession.objects.get()
        self.assertEqual(session.attendees.count(), 2)
        window = ObligationWindow.objects.get(rule__code="guard-training", school=self.s1)
        self.assertEqual(window.status, "done")

    def test_the_attendees_can_be_replaced(self):
        pk = self.post().json()["id"]
        response = self.api("principal1").patch(
            reverse("trainingsession-detail", args=[pk]), {"members": []}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["members"], [])
        self.assertEqual(response.json()["users"], [self.officer1.pk])

    def test_a_member_of_another_school_or_a_stranger_is_a_400_nothing_saved(self):
        for fields in (
            {"members": [self.other.pk]},
            {"users": [self.principal2.pk]},
            {"attendees_count": 1},
        ):
            with self.subTest(fields=fields):
                response = self.post(**fields)
                self.assertEqual(response.status_code, 400, response.content)
        self.assertFalse(TrainingSession.objects.exists())
        self.assertFalse(TrainingAttendee.objects.exists())

    def test_a_members_training_history(self):
        self.post()
        self.post(held_on="2026-11-02", members=[], users=[])
        response = self.api("district1").get(
            reverse("trainingsession-list"), {"member": self.guard.pk}
        )
        self.assertEqual([row["held_on"] for row in response.json()["results"]], ["2026-10-12"])
        self.client.force_login(self.principal1)
        page = self.client.get(reverse("drillplans:training"), {"member": self.guard.pk})
        self.assertContains(page, "王保安")
        self.assertContains(page, "防暴器械使用", count=1)
        # A member the user does not see: no history at all.
        self.client.force_login(self.principal2)
        page = self.client.get(reverse("drillplans:training"), {"member": self.guard.pk})
        self.assertNotContains(page, "防暴器械使用")

    def test_the_members_page_shows_their_training(self):
        self.post()
        self.client.force_login(self.district1)
        page = self.client.get(reverse("posts:member-detail", args=[self.guard.pk]))
        self.assertContains(page, "防暴器械使用")
        self.assertContains(page, f"{reverse('drillplans:training')}?member={self.guard.pk}")
        # Another member's page: no session of theirs.
        self.client.force_login(self.principal2)
        page = self.client.get(reverse("posts:member-detail", args=[self.other.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "防暴器械使用")

    def test_the_list_costs_a_fixed_number_of_queries(self):
        for day in ("2026-10-12", "2026-10-13", "2026-10-14"):
            self.post(held_on=day)
        client = self.api("principal1")
        # The user's roles, the count, the sessions, their attendees.
        with self.assertNumQueries(4):
            response = client.get(reverse("trainingsession-list"))
        self.assertEqual(response.json()["count"], 3)
