"""The world the drill tests share: the obligation calendar, the default requirements, drills."""

import datetime

from drills.models import Drill
from tests.obligations_world import D, ObligationWorldTestCase, at

# A Tuesday in city A's autumn term 2026.
DAY = D(2026, 9, 15)


class DrillWorldTestCase(ObligationWorldTestCase):
    # The drill requirements are the defaults `migrate` creates.
    keep_default_rules = True

    def drill(self, school=None, drill_type="fire_evacuation", **fields):
        fields.setdefault("planned_at", at(DAY, 10))
        fields.setdefault("commander", "王主任")
        return Drill.objects.create(school=school or self.s1, drill_type=drill_type, **fields)

    def held_drill(self, school=None, drill_type="fire_evacuation", start=None, seconds=150):
        """A drill whose all clear has been given, as the services leave it."""
        start = start or at(DAY, 10)
        return self.drill(
            school,
            drill_type,
            status="held",
            planned_at=start,
            started_at=start,
            all_clear_at=start + datetime.timedelta(seconds=seconds),
            evacuation_seconds=seconds,
        )
