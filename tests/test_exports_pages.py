"""Exports of the bureau lists that lacked one: each through its page's own scoped,
filtered rows, under the contract of tests/export_contract.py (scoped, escaped, masked,
logged, titled, linked with the filters, a pinned query count)."""

import datetime

from django.urls import reverse

from posts import dutylogs
from posts.models import Post, PostPeriod, Shift
from tests.base import PinnedClockMixin, WorldTestCase
from tests.export_contract import ExportContract, csv_rows
from tests.factories import GateFactory, SchoolFactory
from tests.inspections_pages import InspectionsPageTestCase
from tests.obligations_world import D
from tests.posts_pages import PostsPageTestCase
from tests.posts_world import NOW, TODAY, make_member

FORMULA = '=HYPERLINK("http://x")'


class SchoolListExportTests(ExportContract, PinnedClockMixin, WorldTestCase):
    pinned_at = NOW
    url = reverse("schools:list")
    query = {"school_type": "primary"}
    name = "schools"
    unit = "滨城区"
    # Session, user, roles; the count; the unit's name; the rows; the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SchoolFactory(district=cls.d1, police_station=cls.p1, name=FORMULA, school_type="primary")
        cls.planted, cls.foreign = FORMULA, cls.s2.name
        member = make_member("王五", cls.s1, phone="13912345678")
        cls.personal = (member.phone, None)

    def grow(self):
        for _index in range(3):
            SchoolFactory(district=self.d1, police_station=self.p1, school_type="primary")

    def test_filters_as_the_page(self):
        names = [row[0] for row in csv_rows(self.export(q="HYPER"))[1:]]
        self.assertEqual(names, ["'" + FORMULA])


class RosterExportTests(ExportContract, PostsPageTestCase):
    url = reverse("posts:roster")
    name = "roster"
    unit = "滨城区"
    # Session, user, roles; the school; its school days (4); posts, periods, shifts; the
    # roster's problems: school days (4) and periods; the unit's name; the log entry.
    queries = 17

    def setUp(self):
        super().setUp()
        self.query = {"school": self.s1.pk, "week": TODAY.isoformat()}

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        planted = make_member(FORMULA, cls.s1, kind="police", police_number="110099")
        Shift.objects.create(
            school=cls.s1, post_period=cls.posts["s1"][1], member=planted, date=TODAY
        )
        cls.planted, cls.foreign = FORMULA, cls.members["s2"]["police"].name
        cls.personal = (cls.members["s1"]["police"].phone, None)

    def grow(self):
        post = Post.objects.create(school=self.s1, gate=self.s1.gates.get(), name="北门护学岗")
        period = PostPeriod.objects.create(
            post=post,
            period="morning",
            start_time=datetime.time(7, 0),
            end_time=datetime.time(7, 40),
            min_members=3,
            min_police=1,
        )
        for role in ("guard_a", "community", "aux"):
            Shift.objects.create(
                school=self.s1, post_period=period, member=self.member("s1", role), date=TODAY
            )

    def test_another_districts_roster_is_404(self):
        response = self.export(school=self.s2.pk)
        self.assertEqual(response.status_code, 404)

    def test_a_row_per_period_and_day_with_its_problems(self):
        rows = csv_rows(self.export())
        header, rows = rows[0], rows[1:]
        self.assertEqual(header[:3], ["Date", "Post", "Period"])
        monday = [
            row for row in rows if row[0] == TODAY.isoformat() and row[2].startswith("Morning")
        ]
        self.assertEqual(len(monday), 1)
        self.assertIn(self.member("s1", "guard_a").name, monday[0][4])


class CompletionExportTests(ExportContract, InspectionsPageTestCase):
    url = reverse("inspections:completion")
    name = "inspection-completion"
    unit = "滨城区"
    query = {"month": "2026-11"}
    # Session, user, roles; the rules of the month form; the cities counted and the only
    # one, the districts counted and the only one; the windows in place (ensure_windows);
    # the rows counted; the unit's name; the rows with their rates; the log entry.
    queries = 13

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        SchoolFactory(district=cls.d1, police_station=cls.p1, name=FORMULA)
        cls.planted, cls.foreign = FORMULA, cls.s2.name
        cls.personal = (make_member("王五", cls.s1, phone="13912345678").phone, None)

    def grow(self):
        from schools.obligation_rates import ensure_windows

        schools = [SchoolFactory(district=self.d1, police_station=self.p1) for _ in range(3)]
        # The windows are materialised ahead, as the nightly task does.
        ensure_windows([school.pk for school in schools], D(2026, 11, 1), D(2026, 11, 30))

    def test_the_rates_of_the_page(self):
        rows = {row[0]: row for row in csv_rows(self.export())[1:]}
        self.assertEqual(set(rows), {self.s1.name, self.k1.name, "'" + FORMULA})
        self.assertGreater(int(rows[self.s1.name][3]), 0)
        city = {row[0] for row in csv_rows(self.export(persona="city"))[1:]}
        self.assertEqual(city, {self.d1.name, self.d2.name})


def add_post(school, name="南门护学岗"):
    """A post with a morning period at `school`."""
    post = Post.objects.create(school=school, gate=GateFactory(school=school), name=name)
    return PostPeriod.objects.create(
        post=post,
        period="morning",
        start_time=datetime.time(7, 10),
        end_time=datetime.time(7, 50),
        min_members=1,
        min_police=0,
    )


class DutyLogExportTests(ExportContract, PostsPageTestCase):
    url = reverse("posts:logs")
    name = "duty-logs"
    unit = "滨城区"
    query = {"date_after": TODAY.isoformat(), "date_before": TODAY.isoformat()}
    # Session, user, roles; the count; the unit's name; the logs with their school and post;
    # the access log's entry.
    queries = 7

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        dutylogs.submit_log(cls.principal1, add_post(cls.s1, FORMULA), TODAY)
        dutylogs.submit_log(cls.principal2, cls.posts["s2"][1], TODAY)
        cls.planted, cls.foreign = FORMULA, cls.s2.name
        cls.personal = (cls.members["s1"]["police"].phone, None)

    def grow(self):
        for index in range(3):
            dutylogs.submit_log(self.principal1, add_post(self.s1, f"岗{index}"), TODAY)


class CoverageExportTests(ExportContract, PostsPageTestCase):
    url = reverse("posts:coverage")
    name = "coverage-school"
    unit = "滨城区"
    query = {"start": "2026-11-16", "end": "2026-11-20", "group_by": "school"}
    # Session, user, roles; the calendar (schools, terms, exceptions); the schools; their
    # days counted in one GROUP BY; the unit's name; the access log's entry.
    queries = 10

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        add_post(SchoolFactory(district=cls.d1, police_station=cls.p1, name=FORMULA))
        cls.planted, cls.foreign = FORMULA, cls.s2.name
        cls.personal = (cls.members["s1"]["police"].phone, None)

    def grow(self):
        for _index in range(3):
            add_post(SchoolFactory(district=self.d1, police_station=self.p1))


class MissedDaysExportTests(CoverageExportTests):
    url = reverse("posts:missed")
    name = "missed-days"
    query = {"start": "2026-11-16", "end": "2026-11-20"}
    # Session, user, roles; the calendar (schools, terms, exceptions); the missed days
    # counted; the unit's name; a chunk of them, its periods left unlogged (the periods,
    # the logs) and its schools' names; the access log's entry.
    queries = 13


class VerificationExportTests(ExportContract, PostsPageTestCase):
    url = reverse("posts:verify")
    name = "verification-queue"
    unit = "滨城区"
    # Session, user, roles; the count; the unit's name; the members with whose phone shows;
    # their schools; the access log's entry.
    queries = 8

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        member = make_member(FORMULA, cls.s1, pending=True, phone="13912345678")
        make_member("沾化待核验", cls.s2, pending=True)
        cls.planted, cls.foreign = FORMULA, "沾化待核验"
        # District staff see the phone masked, as on the page; the ID number is masked always.
        cls.personal = ("13912345678", "139****5678")
        cls.id_masked = member.id_number_masked

    def grow(self):
        for index in range(3):
            make_member(f"待核验{index}", self.s1, pending=True)

    def test_police_see_the_phone_in_full_as_on_screen(self):
        rows = csv_rows(self.export(persona="police1"))
        row = next(row for row in rows if row[0] == "'" + FORMULA)
        self.assertEqual((row[3], row[4]), ("13912345678", self.id_masked))
