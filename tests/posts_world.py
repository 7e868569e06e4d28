"""Posts on top of the test world: terms, members, a post per school and its roster.

"Today" is pinned to Monday 23 November 2026, 09:00 in Shanghai, a school day
in both cities' autumn terms.

Each of S1, S2 and S3 has a post "南门护学岗" at its south gate with a morning
period (07:10–07:50) and an afternoon one (16:30–17:20), each needing 3 members
including 1 police officer, and these members:

- police (民警) and aux (辅警), verified;
- guard_a and guard_b, verified security guards with valid certificates;
- guard_expired, verified, but the certificate ran out in October;
- community (社区工作者), verified but never qualified;
- volunteer (家长志愿者), pending verification.

The morning roster (Mon–Fri) is police, aux, guard_a, guard_b, community: 4 of
5 qualified, exactly 80%. The afternoon roster is police, aux, guard_a,
community: 3 of 4, 75%, below the rule.
"""

import datetime
import zoneinfo

from campussafety.personal import hash_id_number, id_check_char, mask_id_number
from posts.models import Member, MemberAssignment, Post, PostPeriod, RosterRule
from schools.models import Term
from tests.base import PinnedClockMixin, WorldTestCase

TODAY = datetime.date(2026, 11, 23)
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

MEMBER_SPECS = {
    "police": {"kind": "police", "police_number": "016523", "unit_kind": "police_station"},
    "aux": {"kind": "auxiliary_police", "unit_kind": "police_station"},
    "guard_a": {
        "kind": "security_guard",
        "guard_certificate_number": "BA-0001",
        "guard_certificate_expiry": datetime.date(2028, 6, 30),
        "unit_kind": "security_company",
    },
    "guard_b": {
        "kind": "security_guard",
        "guard_certificate_number": "BA-0002",
        "guard_certificate_expiry": datetime.date(2027, 3, 31),
        "unit_kind": "security_company",
    },
    "guard_expired": {
        "kind": "security_guard",
        "guard_certificate_number": "BA-0003",
        "guard_certificate_expiry": datetime.date(2026, 10, 31),
        "unit_kind": "security_company",
    },
    "community": {"kind": "community_worker", "unit_kind": "community"},
    "volunteer": {"kind": "parent_volunteer", "unit_kind": "school", "pending": True},
}
MORNING_ROSTER = ("police", "aux", "guard_a", "guard_b", "community")
AFTERNOON_ROSTER = ("police", "aux", "guard_a", "community")

_id_serial = [1000]


def make_id_number(birth="19850312"):
    _id_serial[0] += 1
    base = f"371602{birth}{_id_serial[0] % 1000:03d}"
    return base + id_check_char(base)


def make_member(name, school, *, kind="community_worker", pending=False, **fields):
    number = make_id_number()
    fields.setdefault("unit_kind", "community")
    member = Member.objects.create(
        name=name,
        kind=kind,
        unit_name=fields.pop("unit_name", "滨城区市中街道"),
        phone=fields.pop("phone", f"138{_id_serial[0]:08d}"),
        id_number_hash=hash_id_number(number),
        id_number_masked=mask_id_number(number),
        verification_status="pending" if pending else "verified",
        verified_at=None if pending else NOW,
        **fields,
    )
    if school is not None:
        MemberAssignment.objects.create(
            member=member, school=school, start_date=datetime.date(2026, 9, 1)
        )
    return member


def build_posts(target):
    """Terms, members, posts and weekly rosters on a world built by tests.base.World."""
    for city in (target.city_a, target.city_b):
        Term.objects.create(
            city=city,
            name="2026 秋季学期",
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 1, 22),
        )
    target.members = {}
    target.posts = {}
    for key in ("s1", "s2", "s3"):
        school = getattr(target, key)
        members = {
            role: make_member(f"{key.upper()}{role}", school, **spec)
            for role, spec in MEMBER_SPECS.items()
        }
        target.members[key] = members
        post = Post.objects.create(school=school, gate=school.gates.get(), name="南门护学岗")
        morning = PostPeriod.objects.create(
            post=post,
            period="morning",
            start_time=datetime.time(7, 10),
            end_time=datetime.time(7, 50),
            min_members=3,
            min_police=1,
        )
        afternoon = PostPeriod.objects.create(
            post=post,
            period="afternoon",
            start_time=datetime.time(16, 30),
            end_time=datetime.time(17, 20),
            min_members=3,
            min_police=1,
        )
        target.posts[key] = (post, morning, afternoon)
        RosterRule.objects.bulk_create(
            [
                RosterRule(post_period=period, weekday=weekday, member=members[role])
                for period, roster in ((morning, MORNING_ROSTER), (afternoon, AFTERNOON_ROSTER))
                for role in roster
                for weekday in range(5)
            ]
        )


class PostsWorldMixin:
    def key_of(self, school):
        return {self.s1.pk: "s1", self.s2.pk: "s2", self.s3.pk: "s3"}[school.pk]

    def post(self, key):
        return self.posts[key][0]

    def morning(self, key):
        return self.posts[key][1]

    def afternoon(self, key):
        return self.posts[key][2]

    def member(self, key, role):
        return self.members[key][role]


class PostsWorldTestCase(PinnedClockMixin, PostsWorldMixin, WorldTestCase):
    """The world with posts, with today pinned to NOW for the whole class."""

    pinned_at = NOW

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_posts(cls)
