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


class CityOrNationalQuerySet(ScopedQuerySet):
    """Rows that belong to a city, or to no city: national defaults that every city follows.

    Everyone who may view the model sees the national defaults; only
    administrators change them (no scope reaches a row without a city). A
    model reaching its city through another names the path in `city_path`.
    """

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
        city_path = getattr(self.model, "city_path", "city")
        return scoped | self.filter(**{f"{city_path}__isnull": True})
