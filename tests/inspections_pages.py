"""What the inspection page tests share: the default rules, a pinned Wednesday, a few records.

"Now" is Wednesday 25 November 2026, 10:00 in Shanghai, in city A's autumn
term. At S1 this morning's first security patrol was done; on Monday the
fire patrol was done, on Tuesday it was missed.
"""

import datetime
import zoneinfo

from schools.models import ObligationRule
from schools.obligations import record_completion
from tests.base import ACTS_AS, FOREIGN_SCHOOLS, PinnedClockMixin
from tests.obligations_world import D, ObligationWorldTestCase, at
from tests.permissions import ALL_PERSONAS
from tests.test_pages import PageTestCase

TODAY = D(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
MONDAY, TUESDAY = D(2026, 11, 23), D(2026, 11, 24)
SCHOOL_STAFF = {"principal1", "principal2", "officer1"}
BUREAU = {"admin", "city", "district1", "district2"}


class InspectionsPageTestCase(PinnedClockMixin, ObligationWorldTestCase, PageTestCase):
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

    def cases(self, persona):
        """(school key, the single-role persona acting there, or None where it reaches nothing)."""
        yield from ACTS_AS[persona].items()
        for key in FOREIGN_SCHOOLS[persona]:
            yield key, None

    def each_persona(self, url_for, allowed, method="get", data=None, foreign=404, refused=403):
        """Every persona at every school: 200 (or a redirect) if allowed, else 403, or 404 away."""
        for persona in ALL_PERSONAS:
            self.login(persona)
            for key, acting in self.cases(persona):
                with self.subTest(persona=persona, school=key):
                    response = getattr(self.client, method)(url_for(key), data or {})
                    if acting is None:
                        self.assertEqual(response.status_code, foreign)
                    elif acting in allowed:
                        self.assertIn(response.status_code, (200, 302))
                    else:
                        self.assertEqual(response.status_code, refused)
