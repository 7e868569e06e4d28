"""Querysets of the equipment models; `for_user` (accounts/scope.py) is how callers get rows."""

import datetime

from django.db.models import F, Q, Sum

from accounts.scope import VIEW, Scope
from schools.querysets import ScopedQuerySet


class KitStandardQuerySet(ScopedQuerySet):
    """Kit standards (or their lines): national, a city's, or a district's additions.

    A district's standard has no city, so "no city" alone does not mean
    national: the national standard is the one with neither. Everyone who may
    view the model sees it; only administrators change it.
    """

    standard_path = ""

    def national(self):
        prefix = self.standard_path
        return self.filter(**{f"{prefix}city__isnull": True, f"{prefix}district__isnull": True})

    def for_user(self, user, action: str = VIEW, roles=None):
        scoped = super().for_user(user, action, roles)
        scope = Scope.of(user)
        if action != VIEW or scope.is_admin:
            return scoped
        allowed = set(self.model.access.get(VIEW, ()))
        if roles is not None:
            allowed &= set(roles)
        if not any(grant.role in allowed for grant in scope.grants):
            return scoped
        return scoped | self.national()


class KitLineQuerySet(KitStandardQuerySet):
    standard_path = "standard__"


class ItemQuerySet(ScopedQuerySet):
    def held(self):
        """Items still at the school: neither lost nor scrapped."""
        from equipment.choices import ItemStatus

        return self.exclude(status__in=[ItemStatus.LOST, ItemStatus.SCRAPPED])

    def service_due_by(self, day: datetime.date):
        # Served by the index on (school, service_due_on).
        return self.held().filter(service_due_on__lte=day)

    def scrap_due_by(self, day: datetime.date):
        return self.held().filter(scrap_on__lte=day)


class StockBalanceQuerySet(ScopedQuerySet):
    def totals(self, *by):
        """Pieces held and usable, summed in the database per `by` ("school", "equipment_type")."""
        return (
            self.order_by()
            .values(*by)
            .annotate(held_total=Sum("held"), usable_total=Sum(F("held") - F("faulty")))
            .order_by(*by)
        )


class MovementQuerySet(ScopedQuerySet):
    def touching(self, location_ids):
        return self.filter(Q(location_id__in=location_ids) | Q(to_location_id__in=location_ids))


class VideoCheckQuerySet(ScopedQuerySet):
    def flagged(self):
        """Checks that found fewer than 30 days of recordings kept, or a camera down."""
        from equipment.models.checks import RETENTION_DAYS_REQUIRED

        return self.filter(
            Q(retention_days__lt=RETENTION_DAYS_REQUIRED)
            | Q(cameras_working__lt=F("cameras_total"))
        )


class KitShortageQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)
