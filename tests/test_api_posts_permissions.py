"""The posts endpoints join the shared permission tests."""

import datetime

from posts.models import DutyLog, MemberAssignment, Post, PostPeriod, RosterRule, Shift
from tests.permissions import ScopedAPITests
from tests.posts_world import TODAY, PostsWorldTestCase, make_id_number, make_member

BUREAU = {"admin", "city", "district1", "district2"}
SCHOOL_WRITERS = BUREAU | {"principal1", "principal2", "officer1"}


class MemberAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "member"
    can_create = can_update = SCHOOL_WRITERS
    can_delete = BUREAU

    def object_for(self, school):
        return self.member(self.key_of(school), "volunteer")

    def create_payload(self, school):
        return {
            "name": f"王{self.seq()}",
            "kind": "community_worker",
            "unit_kind": "community",
            "unit_name": "市中街道",
            "phone": "13912345678",
            "id_number": make_id_number(),
            "school": school.pk,
        }

    def update_payload(self, obj):
        return {"badge_number": f"HX-{self.seq()}"}


class MemberAssignmentAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "memberassignment"
    can_create = can_update = can_delete = SCHOOL_WRITERS

    def object_for(self, school):
        return MemberAssignment.objects.get(member__name__endswith="volunteer", school=school)

    def create_payload(self, school):
        # The community worker of the same school starts a second spell there.
        member = self.member(self.key_of(school), "community")
        return {
            "member": member.pk,
            "school": school.pk,
            "start_date": (datetime.date(2027, 2, 1) + datetime.timedelta(self.seq())).isoformat(),
        }

    def update_payload(self, obj):
        return {"end_date": "2027-01-22"}


class PostAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "post"
    can_create = can_update = can_delete = SCHOOL_WRITERS

    def object_for(self, school):
        return Post.objects.get(school=school)

    def create_payload(self, school):
        return {"school": school.pk, "gate": school.gates.get().pk, "name": f"北门{self.seq()}"}

    def update_payload(self, obj):
        return {"is_active": True}


class PostPeriodAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "postperiod"
    can_create = can_update = can_delete = SCHOOL_WRITERS

    def object_for(self, school):
        return PostPeriod.objects.get(post__school=school, period="morning")

    def create_payload(self, school):
        post = Post.objects.create(school=school, gate=school.gates.get(), name=f"东门{self.seq()}")
        return {
            "post": post.pk,
            "period": "noon",
            "start_time": "11:30",
            "end_time": "12:10",
            "min_members": 2,
            "min_police": 0,
        }

    def update_payload(self, obj):
        return {"min_members": 4}


class RosterRuleAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "rosterrule"
    can_create = can_update = can_delete = SCHOOL_WRITERS

    def object_for(self, school):
        return RosterRule.objects.filter(post_period__post__school=school).order_by("pk").first()

    def create_payload(self, school):
        period = PostPeriod.objects.get(post__school=school, period="morning")
        member = make_member(f"新人{self.seq()}", school)
        return {"post_period": period.pk, "weekday": 2, "member": member.pk}

    def update_payload(self, obj):
        return {"weekday": obj.weekday}


class ShiftAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "shift"
    can_create = can_delete = SCHOOL_WRITERS
    supports_update = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from posts.rosters import generate_shifts

        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=13))

    def object_for(self, school):
        return Shift.objects.filter(school=school).order_by("pk").first()

    def create_payload(self, school):
        period = PostPeriod.objects.get(post__school=school, period="morning")
        member = make_member(f"新人{self.seq()}", school)
        return {"post_period": period.pk, "date": TODAY.isoformat(), "member": member.pk}

    def is_deleted(self, obj):
        # A shift from the weekly pattern is kept as cancelled (so that the
        # roster is not regenerated with it); a manual one goes.
        return not Shift.objects.filter(pk=obj.pk, is_cancelled=False).exists()

    def update_payload(self, obj):
        return {"note": "调班"}


class DutyLogAPITests(ScopedAPITests, PostsWorldTestCase):
    basename = "dutylog"
    can_create = can_update = SCHOOL_WRITERS
    can_delete = BUREAU

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for key in ("s1", "s2", "s3"):
            period = cls.posts[key][1]
            DutyLog.objects.create(
                school=period.post.school, post_period=period, date=TODAY, period="morning"
            )

    def object_for(self, school):
        return DutyLog.objects.get(school=school)

    def create_payload(self, school):
        # A new post each time, so every persona logs a post period of its own today.
        post = Post.objects.create(school=school, gate=school.gates.get(), name=f"西门{self.seq()}")
        period = PostPeriod.objects.create(
            post=post,
            period="morning",
            start_time=datetime.time(7, 0),
            end_time=datetime.time(7, 40),
            min_members=1,
            min_police=0,
        )
        return {"post_period": period.pk, "date": TODAY.isoformat()}

    def update_payload(self, obj):
        return {"illegal_parking": 3, "weather": "rain"}
