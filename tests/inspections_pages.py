"""What the inspection page tests share: the default rules, a pinned Wednesday, a few records.

"Now" is Wednesday 25 November 2026, 10:00 in Shanghai, in city A's autumn
term. At S1 this morning's first security patrol was done; on Monday the
fire patrol was done, on Tuesday it was missed.
"""

import datetime
import zoneinfo

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
