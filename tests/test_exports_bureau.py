"""Exports of the bureaus' drill, equipment, hazard and dashboard lists, each under the
contract of tests/export_contract.py: scoped, escaped, masked, logged, titled, linked with
the page's filters, at a pinned query count."""

from django.urls import reverse
from django.utils import timezone

from dashboards.snapshots import take
from drills.models import TrainingSession
from drills.models_training import TrainingAttendee
from equipment.services import receive
from inspections.models import Hazard, SupervisionDraw, SupervisionVisit
from inspections.supervision import draw
from schools.models import School
from schools.obligation_rates import ensure_windows
from tests.dashboards_world import build_evidence
from tests.equipment_world import compliance_queries
from tests.export_contract import ExportContract, csv_rows
from tests.factories import SchoolFactory
from tests.inspections_pages import MONDAY, InspectionsPageTestCase
from tests.obligations_world import D, at
from tests.posts_pages import PostsPageTestCase
from tests.posts_world import NOW, make_member
from tests.test_drills_plans import make_plan
from tests.test_pages_drills import TODAY as DRILL_DAY
from tests.test_pages_drills import DrillPageTestCase
from tests.test_pages_equipment import EquipmentPageTestCase

FORMULA = '=HYPERLINK("http://x")'
PHONE = "13912345678"


class Planted(ExportContract):
    """A school of district 1 named like a formula, district 2's first school foreign, and a
    post member's phone at S1 that no export carries in full."""

    unit = "滨城区"
    # Set: the export is asked for district 1 (?district=), as the bureau's drill-down does.
    by_district = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.planted_school = SchoolFactory(district=cls.d1, police_station=cls.p1, name=FORMULA)
        cls.planted, cls.foreign = FORMULA, cls.s2.name
        cls.personal = (make_member("王五", cls.s1, phone=PHONE).phone, None)

    def setUp(self):
        super().setUp()
        if self.by_district:
            self.query = {**type(self).query, "district": self.d1.pk}

    def more_schools(self, count=3):
        return [SchoolFactory(district=self.d1, police_station=self.p1) for _ in range(count)]

    def grow(self):
        self.more_schools()


# Drills ------------------------------------------------------------------------------------


class DrillComplianceExportTests(Planted, DrillPageTestCase):
    url = reverse("drills:compliance")
    name = "drill-compliance"
    # Session, user, roles; the district; the windows in place (ensure_windows) and the
    # schools' rates in one aggregate; the periods behind: the schools' facts, the rules and
    # their overrides, the calendar (schools, terms twice, exceptions), the windows; the
    # unit's name; the access log's entry.
    queries = 17
    query = {"start": "2026-09-01", "end": "2026-12-15"}
    by_district = True

    def grow(self):
        schools = self.more_schools()
        ensure_windows([school.pk for school in schools], D(2026, 9, 1), D(2026, 12, 15))

    def test_a_schools_requirements_period_by_period(self):
        rows = csv_rows(self.export(district="", school=self.s1.pk))
        self.assertEqual(rows[0][:3], ["Requirement", "From", "To"])
        self.assertTrue(rows[1:])
        self.assertEqual(self.export(district="", school=self.s2.pk).status_code, 404)
        self.assertEqual(self.export(persona="principal1").status_code, 403)


class DrillRecordsExportTests(Planted, DrillPageTestCase):
    name = "drill-summary-371602"
    query = {"on": DRILL_DAY.isoformat()}
    # Session, user, roles; the district and the bureau's check of it; its schools; their
    # terms (2); the periods of the terms: the schools' facts, the rules and their overrides,
    # the calendar (schools, terms twice, exceptions), the windows; the drills held in one
    # aggregate; the unit's name; the access log's entry.
    queries = 20

    def export_url(self):
        return reverse("drillplans:records-district", args=[self.d1.pk])

    def test_a_schools_records_as_csv(self):
        self.drill(self.s1, commander=FORMULA, planned_at=at(DRILL_DAY, 9))
        url = reverse("drillplans:records-school", args=[self.s1.pk])
        self.client.force_login(self.district1)
        rows = csv_rows(self.client.get(url, {**self.query, "format": "csv"}))
        self.assertIn("'" + FORMULA, [row[4] for row in rows[1:]])
        url = reverse("drillplans:records-school", args=[self.s2.pk])
        self.assertEqual(self.client.get(url, {**self.query, "format": "csv"}).status_code, 404)


# Equipment ---------------------------------------------------------------------------------


class KitComplianceExportTests(Planted, EquipmentPageTestCase):
    url = reverse("equipment:compliance")
    name = "kit-compliance"
    # Session, user, roles; the district; the schools' facts, the standards' lines and the
    # stock against them (equipment/compliance.py, with its planner setting on PostgreSQL);
    # the unit's name; the access log's entry.
    queries = 6 + compliance_queries()

    by_district = True


class DueExportTests(Planted, EquipmentPageTestCase):
    url = reverse("equipment:due")
    name = "equipment-due"
    # Session, user, roles; the district; the count; the unit's name; the pieces with their
    # school, type and place; the access log's entry.
    queries = 8

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        made = timezone.localdate().replace(year=timezone.localdate().year - 11)
        kind = cls.types["extinguisher-dry-powder"]
        receive(cls.admin, cls.s1_floor, kind, asset_tag=FORMULA, manufactured_on=made)
        receive(cls.admin, cls.s2_floor, kind, asset_tag="沾化灭火器", manufactured_on=made)
        cls.planted, cls.foreign = FORMULA, "沾化灭火器"

    by_district = True

    def grow(self):
        made = timezone.localdate().replace(year=timezone.localdate().year - 11)
        kind = self.types["extinguisher-dry-powder"]
        for index in range(3):
            receive(self.admin, self.s1_store, kind, asset_tag=f"MHQ-{index}", manufactured_on=made)


class AlarmVideoExportTests(Planted, EquipmentPageTestCase):
    url = reverse("equipment-checks:alarm-video")
    name = "alarm-video"
    # Session, user, roles; the count; the unit's name; the schools; their latest alarm test
    # and video check in one query; the access log's entry.
    queries = 8

    by_district = True


# Hazards -----------------------------------------------------------------------------------


def hazard(school, description, number):
    return Hazard.objects.create(
        school=school, year=2026, number=number, description=description, found_at=NOW
    )


class HazardLedgerExportTests(ExportContract, PostsPageTestCase):
    url = reverse("inspections:hazards")
    name = "hazards"
    unit = "滨城区"
    query = {"state": "open"}
    # Session, user, roles; the count; the unit's name; the hazards with their school; the
    # access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        hazard(cls.s1, FORMULA, 1)
        hazard(cls.s2, "沾化围墙破损", 1)
        cls.planted, cls.foreign = FORMULA, "沾化围墙破损"
        cls.personal = (cls.members["s1"]["police"].phone, None)

    def grow(self):
        for number in range(2, 5):
            hazard(self.s1, "围墙破损", number)


class HazardOverviewExportTests(Planted, PostsPageTestCase):
    url = reverse("inspections:hazard-overview")
    name = "hazard-overview"
    # Session, user, roles; the rows in one grouped query; the unit's name; the access
    # log's entry.
    queries = 6

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        hazard(cls.planted_school, "围墙破损", 1)
        hazard(cls.s2, "沾化围墙破损", 1)

    def grow(self):
        for number, school in enumerate(self.more_schools(), start=2):
            hazard(school, "围墙破损", number)


# Dashboards --------------------------------------------------------------------------------


class DashboardExportTests(Planted, PostsPageTestCase):
    name = "dashboard-district-371602"
    # Session, user, roles; the district; its schools; the snapshot day found; the values
    # in one GROUP BY (dashboards/values.py); the unit's name; the access log's entry.
    queries = 9

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)
        # Yesterday, the day the page shows by default, as the nightly task leaves it.
        take(D(2026, 11, 22))

    def export_url(self):
        return reverse("dashboards:district", args=[self.d1.pk])

    def test_the_as_of_date_heads_the_csv(self):
        header = csv_rows(self.export(as_of="2026-11-20"))[0]
        self.assertEqual(header[0], "School (as of 2026-11-20)")
        header = csv_rows(self.export(persona="city", as_of="2026-11-20"))[0]
        self.assertEqual(header[0], "School (as of 2026-11-20)")


class ProofExportTests(Planted, PostsPageTestCase):
    name = "proof-posts.peaks_covered"
    by_district = True
    # Session, user, roles; the district; the snapshot day found; the schools' values in
    # one GROUP BY; the schools' names; the unit's name; the access log's entry.
    queries = 9

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)
        # Yesterday, the day the page shows by default, as the nightly task leaves it.
        take(D(2026, 11, 22))

    def export_url(self):
        return reverse("dashboards:proof", args=["posts.peaks_covered"])

    def test_below_the_target_then_no_data(self):
        rows = csv_rows(self.export(persona="city", district=self.d2.pk))
        self.assertEqual(rows[1][:2], [self.s2.name, "Below the target"])


# Emergency plans and training -------------------------------------------------------------


class PlanExportTests(Planted, DrillPageTestCase):
    url = reverse("drillplans:plans")
    name = "emergency-plans"
    # Session, user, roles; the count; the unit's name; the current plans with their
    # school; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_plan(cls.s1, title=FORMULA)
        make_plan(cls.s2, title="沾化消防预案")
        cls.planted, cls.foreign = FORMULA, "沾化消防预案"

    def grow(self):
        for plan_type in ("earthquake", "anti_violence", "severe_weather"):
            make_plan(self.s1, plan_type=plan_type)


class TrainingExportTests(Planted, DrillPageTestCase):
    url = reverse("drillplans:training")
    name = "training-sessions"
    # Session, user, roles; the count; the unit's name; the sessions with their school;
    # their attendees and the members among them (the prefetch, per chunk: the users among
    # them would be one more, none here); the access log's entry.
    queries = 9

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        session(cls.s1, FORMULA, make_member("张保安", cls.s1, phone=PHONE))
        session(cls.s2, "沾化培训")
        cls.planted, cls.foreign = FORMULA, "沾化培训"

    def grow(self):
        for index in range(3):
            session(self.s1, f"培训{index}", make_member(f"保安{index}", self.s1))

    def test_the_attendees_by_name(self):
        (row,) = [row for row in csv_rows(self.export())[1:] if row[1] == "'" + FORMULA]
        self.assertEqual(row[-1], "张保安")


def session(school, topic, member=None):
    made = TrainingSession.objects.create(
        school=school,
        audience="staff",
        held_on=DRILL_DAY,
        topic=topic,
        trainer="消防站",
        attendees_count=1,
        hours=1,
    )
    if member is not None:
        TrainingAttendee.objects.create(session=made, member=member)
    return made


# Inspections: excuses and supervision --------------------------------------------------------


class ExcuseExportTests(Planted, InspectionsPageTestCase):
    url = reverse("inspections:excuses")
    name = "excused-windows"
    # Session, user, roles; the count; the unit's name; the excuses with their rule, school
    # and who excused them; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        excuse(cls.district1, cls.patrol, cls.planted_school, "台风停课")
        excuse(cls.district2, cls.patrol, cls.s2, "沾化停电")
        cls.foreign = "沾化停电"

    def grow(self):
        for school in self.more_schools():
            excuse(self.district1, self.patrol, school, "停课")


def excuse(user, rule, school, reason):
    from schools.obligations import excuse as excuse_windows

    excuse_windows(user, rule, School.objects.filter(pk=school.pk), MONDAY, MONDAY, reason)


class SupervisionExportTests(Planted, InspectionsPageTestCase):
    url = reverse("inspections:supervision")
    name = "supervision-ranking"
    # Session, user, roles; the count; the unit's name; the finished visits ranked, with
    # their school, draw, inspector and score in one query; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        made = draw(cls.district1, cls.d1, "2026-autumn", 1, seed=7)
        scored(
            cls.district1,
            SupervisionVisit.objects.create(
                draw=made, school=cls.planted_school, inspector=cls.district1
            ),
        )
        other = draw(cls.district2, cls.d2, "2026-autumn", 1, seed=7)
        scored(cls.district2, other.visits.get())

    def grow(self):
        made = SupervisionDraw.objects.get(district=self.d1)
        for school in self.more_schools():
            visit = SupervisionVisit.objects.create(
                draw=made, school=school, inspector=self.district1
            )
            scored(self.district1, visit)


def scored(user, visit, mark=5):
    """The visit's round finished with `mark` on each scored item of the checklist."""
    from inspections import services
    from inspections.supervision import start_visit, supervision_rule

    round_ = start_visit(user, visit)
    version = supervision_rule(visit.school.district.city_id).template.current_version
    for item in version.items.exclude(points=None):
        services.answer(round_, item, number=mark)
    services.finish(round_)
