"""Querysets of coordination; `for_user` (accounts/scope.py) is how every caller gets rows."""

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF, VIEW, Scope
from coordination.choices import ACTIVE_FACTOR_STATES, ItemStatus
from schools.querysets import ScopedQuerySet


class MeetingQuerySet(ScopedQuerySet):
    def with_counts(self):
        """Each meeting's action items and the open ones, counted in the same query."""
        return self.annotate(
            items_count=Count("action_items", distinct=True),
            open_count=Count(
                "action_items",
                filter=Q(action_items__status=ItemStatus.OPEN),
                distinct=True,
            ),
        )


class ActionItemQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=ItemStatus.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def with_overdue(self, today=None):
        """`overdue` computed in the query: open and past its due date."""
        today = today or timezone.localdate()
        return self.annotate(
            overdue=Case(
                When(status=ItemStatus.OPEN, due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    def owned_by(self, user):
        """Items whose owner is `user`, or one of the units `user` holds a role over with no
        person named: what the user's home page lists."""
        scope = Scope.of(user)
        schools = {g.school_id for g in scope.grants if g.role in SCHOOL_STAFF}
        districts = {g.district_id for g in scope.grants if g.role == Role.DISTRICT_STAFF}
        unit = Q(owner_school__in=schools) | Q(owner_district__in=districts)
        return self.filter(Q(owner_user=user) | (unit & Q(owner_user__isnull=True)))


class FactorQuerySet(ScopedQuerySet):
    """The instability register. A factor reaches district and city staff through its
    shares (a reverse relation), which could repeat a row once per matching share:
    the scoped rows are selected in a subquery instead."""

    def for_user(self, user, action: str = VIEW, roles=None):
        scope = Scope.of(user)
        if scope.is_admin:
            return self.all()
        scoped = scope.restrict(self.model._default_manager.all(), action, roles)
        return self.filter(pk__in=scoped.values("pk"))

    def active(self):
        return self.filter(status__in=ACTIVE_FACTOR_STATES)

    def by_risk(self):
        return self.order_by("-risk", "review_on", "pk")
