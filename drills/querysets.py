"""Querysets of the drill models; `for_user` (accounts/scope.py) is how callers get rows."""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from drills.choices import DrillStatus
from schools.querysets import ScopedQuerySet


class DrillQuerySet(ScopedQuerySet):
    def signed_off(self):
        return self.filter(status=DrillStatus.CLOSED)


class ClassHeadcountQuerySet(ScopedQuerySet):
    def totals(self) -> dict:
        """Classes reported and pupils expected, arrived and missing: one aggregate query."""
        return self.aggregate(
            classes=Count("pk"),
            expected=Coalesce(Sum("expected"), 0),
            arrived=Coalesce(Sum("arrived"), 0),
            missing=Coalesce(Sum("missing"), 0),
        )
