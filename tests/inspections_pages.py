"""What the inspection page tests share: the default rules, a pinned Wednesday, a few records.

"Now" is Wednesday 25 November 2026, 10:00 in Shanghai, in city A's autumn
term. At S1 this morning's first security patrol was done; on Monday the
fire patrol was done, on Tuesday it was missed.
"""

import datetime
import zoneinfo

from inspections.choices import RoundStatus
from inspections.models import Answer, Finding, InspectionRule, Round
from schools.models import ObligationRule
from schools.obligations import record_completion
from tests.base import PinnedClockMixin
from tests.obligations_world import D, ObligationWorldTestCase, at
from tests.permissions import PageChecks
from tests.test_pages import PageTestCase

TODAY = D(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
MONDAY, TUESDAY = D(2026, 11, 23), D(2026, 11, 24)
SCHOOL_STAFF = {"principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}


class InspectionsPageTestCase(PageChecks, PinnedClockMixin, ObligationWorldTestCase, PageTestCase):
    pinned_at = NOW
    keep_default_rules = True
    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patrol = ObligationRule.objects.get(code="security-patrol", city=None)
        cls.fire_patrol = ObligationRule.objects.get(code="fire-patrol", city=None)
        cls.fire_check = ObligationRule.objects.get(code="fire-check", city=None)
        record_completion(cls.patrol, cls.s1, at(TODAY, 8), "test:patrol-1")
        record_completion(cls.fire_patrol, cls.s1, at(MONDAY, 15), "test:fire-1")


def fire_round(world, day, inspector, place="=配电房"):
    """A finished fire patrol at S1 on `day`: two fails, one corrected, one a finding at
    `place`."""
    rule = InspectionRule.objects.get(obligation=world.fire_patrol)
    version = rule.template.current_version
    items = list(version.items.all()[:3])
    finished = at(day, 16)
    round_ = Round.objects.create(
        school=world.s1,
        rule=rule,
        version=version,
        inspector=inspector,
        started_at=at(day, 15),
        finished_at=finished,
        status=RoundStatus.COMPLETE,
    )
    corrected, failed, passed = (
        Answer.objects.create(
            round=round_,
            item=item,
            passed=ok,
            corrected_on_spot=fixed,
            answered_at=finished,
        )
        for item, ok, fixed in zip(items, (False, False, True), (True, False, False), strict=True)
    )
    Finding.objects.create(
        school=world.s1,
        round=round_,
        answer=failed,
        place=place,
        description="灭火器过期",
        hazard_category="fire",
        hazard_level="general",
        found_at=finished,
    )
    record_completion(world.fire_patrol, world.s1, finished, f"inspections.round:{round_.pk}")
    return round_
