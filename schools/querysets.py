"""Querysets of scoped models. `for_user` is how every caller gets rows."""

from django.db import models

from accounts.scope import VIEW, Scope


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user, action: str = VIEW, roles=None):
        """The rows `user` may reach for `action` (view, add, change, delete)."""
        return Scope.of(user).restrict(self, action, roles)


class SchoolQuerySet(ScopedQuerySet):
    def with_organisation(self):
        # district, city and police station are shown with nearly every school.
        return self.select_related("district__city", "police_station")
