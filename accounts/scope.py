"""The one mechanism that decides what a user may see and change.

A user's role assignments become *grants*: a role anchored at a unit of the
organisation (a city, a district, a police station or a school), expanded with
the unit's ancestors. Each scoped model declares how to reach those units from
its rows (``scope_paths``) and which roles may do what (``access``); a role
that reaches only its own rows there (a guard's own rounds) names the path from
a row to its user in ``own_paths``.
``Model.objects.for_user(user, action)`` is then the only way views, API
viewsets, form fields, filter dropdowns and serializer related fields get rows:
an object outside it behaves exactly like a missing one.

A grant is matched against a model at the most specific level the model can be
reached from: a principal's grant matches a School by the school itself, but a
District (which has no school path) by the school's district. ``shared_paths``
add, for viewing only, rows of a wider unit that apply to the grant's unit, such
as a city-wide term seen by a principal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

# From the most specific unit to the widest.
LEVELS = ("school", "police_station", "district", "city")

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
# Models may name further actions in `access` (verify, countersign, ...).

# Every role that sees the records of the units it is held over. A guard does
# not: a model grants guards what their rounds need by naming GUARD itself.
ALL_ROLES = frozenset(Role.values) - {Role.ADMIN, Role.GUARD}
GUARD = frozenset({Role.GUARD})
BUREAU = frozenset({Role.CITY_STAFF, Role.DISTRICT_STAFF})
SCHOOL_STAFF = frozenset({Role.PRINCIPAL, Role.SAFETY_OFFICER})


def edited_by(roles, view=ALL_ROLES) -> dict:
    """An `access` declaration: `view` roles read the rows, `roles` add, change and delete them.

    Rules and standards held as data are read by everyone and edited by one
    role (city staff): they declare `access = edited_by({Role.CITY_STAFF})`.
    """
    roles = frozenset(roles)
    return {"view": frozenset(view), "add": roles, "change": roles, "delete": roles}


class OutOfScope(PermissionDenied):
    """A write reached outside the user's scope for its action."""

    def __init__(self, message=None):
        super().__init__(message or _("You may not make this change: it lies outside your area."))


# A role assignment's unit and the unit's ancestors, in Grant.from_row's order.
GRANT_COLUMNS = (
    "school_id",
    "school__police_station_id",
    "school__district_id",
    "school__district__city_id",
    "police_station_id",
    "police_station__district_id",
    "police_station__district__city_id",
    "district_id",
    "district__city_id",
    "city_id",
)


@dataclass(frozen=True)
class Grant:
    """A role held over one unit, with the unit's ancestors filled in."""

    role: str
    school_id: int | None = None
    police_station_id: int | None = None
    district_id: int | None = None
    city_id: int | None = None

    @classmethod
    def from_row(
        cls,
        role,
        school,
        school_station,
        school_district,
        school_city,
        station,
        station_district,
        station_city,
        district,
        district_city,
        city,
    ) -> Grant:
        """The grant of an assignment read as GRANT_COLUMNS: its unit and the ancestors."""
        if school:
            return cls(role, school, school_station, school_district, school_city)
        if station:
            return cls(role, None, station, station_district, station_city)
        if district:
            return cls(role, None, None, district, district_city)
        return cls(role, city_id=city)

    def chain(self):
        """(level, id) pairs from the grant's own unit up to its city."""
        for level in LEVELS:
            unit_id = getattr(self, f"{level}_id")
            if unit_id is not None:
                yield level, unit_id


class Scope:
    """What one user may reach. Built once per user object (one query)."""

    def __init__(self, user, rows=None):
        """`rows` are the user's role assignments as (role, *GRANT_COLUMNS), when a caller
        read them with something else (the API's token, accounts/api/authentication.py)."""
        self.user = user
        self.is_admin = False
        self.grants: list[Grant] = []
        if not user or not user.is_authenticated or not user.is_active:
            return
        if user.is_superuser:
            self.is_admin = True
            return
        if rows is None:
            # Plain rows, not model instances: this runs on every request, and
            # building three related models per role cost more than the query.
            rows = user.role_assignments.values_list("role", *GRANT_COLUMNS)
        for role, *units in rows:
            if role == Role.ADMIN:
                self.is_admin = True
            else:
                self.grants.append(Grant.from_row(role, *units))

    @classmethod
    def of(cls, user) -> Scope:
        scope = getattr(user, "_campus_scope", None)
        if scope is None:
            scope = cls(user)
            if user is not None:
                user._campus_scope = scope
        return scope

    @property
    def roles(self) -> set[str]:
        roles = {grant.role for grant in self.grants}
        if self.is_admin:
            roles.add(Role.ADMIN)
        return roles

    def has_role(self, *roles) -> bool:
        return bool(self.roles & set(roles))

    def widest_level(self) -> str:
        """Where a bureau page's drill-down starts for this user: "city" (a row per city),
        "district" or "school"; the hazard overview, coverage and the dashboards share it."""
        if self.is_admin:
            return "city"
        if self.has_role(Role.CITY_STAFF):
            return "district"
        return "school"

    def can(self, model, action: str) -> bool:
        """May the user do `action` on some rows of `model` at all?"""
        if self.is_admin:
            return True
        allowed = model.access.get(action, frozenset())
        return any(grant.role in allowed for grant in self.grants)

    def restrict(self, queryset: QuerySet, action: str = VIEW, roles=None) -> QuerySet:
        """Rows of `queryset` the user may reach for `action` (through `roles` only, if given).

        An action the model's `access` does not name reaches nothing, so a
        misspelt action fails closed.
        """
        if self.is_admin:
            return queryset
        model = queryset.model
        allowed = set(model.access.get(action, frozenset()))
        if roles is not None:
            allowed &= set(roles)
        via = getattr(model, "scope_via", None)
        if via is not None:
            # Rows that belong to schools through another model (a member
            # through their assignments): scope that model, then follow it back,
            # through only the rows the declaration's `only` names (a member's
            # assignments that have not ended).
            label, field, *only = via
            related_model = apps.get_model(label)
            condition, _ = self._condition(related_model, allowed, action)
            if condition is None:
                return queryset.none()
            links = related_model._default_manager.filter(condition)
            if only:
                links = links.filter(getattr(related_model, only[0])())
            return queryset.filter(pk__in=links.values(field))
        condition, through_many = self._condition(model, allowed, action)
        if condition is None:
            return queryset.none()
        if through_many:
            # A shared path runs through a reverse relation (a city's
            # districts), which would repeat a row once per matching district:
            # select the rows in a subquery instead.
            return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))
        return queryset.filter(condition)

    def _condition(self, model, allowed: set[str], action: str) -> tuple[Q | None, bool]:
        """The filter for `model`, and whether it follows a shared (reverse) path."""
        ids_by_path, shared_used = self._units(model, allowed, action)
        if not ids_by_path:
            return None, False
        condition = Q()
        for (path, owner), ids in sorted(ids_by_path.items()):
            part = Q(**{f"{path}__in": sorted(ids)})
            if owner:
                part &= Q(**{owner: self.user.pk})
            condition |= part
        return condition, shared_used

    def _units(self, model, allowed: set[str], action: str):
        """{(unit path, path to the owning user or ""): unit ids} the grants of `allowed`
        roles reach `model` by, and whether a shared (reverse) path is among them."""
        ids_by_path: dict[tuple[str, str], set[int]] = defaultdict(set)
        shared_used = False
        # Roles that reach only their own rows (a guard's own rounds) name the
        # path from a row to its user in `own_paths`.
        own_paths = getattr(model, "own_paths", {})
        for grant in self.grants:
            if grant.role not in allowed:
                continue
            owner = own_paths.get(grant.role, "")
            for level, unit_id in grant.chain():
                paths = model.scope_paths.get(level, ())
                if action == VIEW:
                    shared = getattr(model, "shared_paths", {}).get(level, ())
                    shared_used = shared_used or bool(shared)
                    paths = (*paths, *shared)
                if paths:
                    for path in paths:
                        ids_by_path[path, owner].add(unit_id)
                    break
        return ids_by_path, shared_used

    def contains(self, obj, action: str = VIEW, roles=None) -> bool:
        """Is this saved object inside the user's scope for `action`?"""
        manager = type(obj)._default_manager
        return self.restrict(manager.filter(pk=obj.pk), action, roles).exists()

    def reaches(self, obj, action: str = VIEW, roles=None) -> bool | None:
        """Is `obj`, read with the related objects its scope paths name, inside the scope
        for `action`? The same decision as restrict(), taken on the object in memory, so
        a hot path that read it in SQL needs no second query. None when the object does
        not carry what the decision needs (a path through a reverse relation, or a
        related object not read with it): ask restrict() then.
        """
        if self.is_admin:
            return True
        model = type(obj)
        if getattr(model, "scope_via", None) is not None:
            return None
        allowed = set(model.access.get(action, frozenset()))
        if roles is not None:
            allowed &= set(roles)
        ids_by_path, shared_used = self._units(model, allowed, action)
        if shared_used:
            return None
        try:
            return any(
                _value_at(obj, path) in ids and (not owner or _value_at(obj, owner) == self.user.pk)
                for (path, owner), ids in ids_by_path.items()
            )
        except (LookupError, AttributeError):
            # A related object not read, or a path ending on a reverse relation.
            return None

    def require(self, objects, action: str) -> None:
        """Refuse (OutOfScope) unless every saved object lies in the user's scope for `action`.

        The one write check, in the spirit of NetBox's ObjectValidationMixin:
        it runs after the write, inside the writing transaction, so that it
        judges what was really saved (a multi-role user's object is in scope
        only if one role that may do `action` reaches it), and raising undoes
        the write. `objects` is one model instance or several. One query per
        model; none for admins, who reach everything.
        """
        if isinstance(objects, Model):
            objects = [objects]
        if self.is_admin:
            return
        pks_by_model: dict[type, set] = defaultdict(set)
        for obj in objects:
            if obj.pk is None:
                raise ValueError(f"{obj!r} has not been saved: nothing to check.")
            pks_by_model[type(obj)].add(obj.pk)
        for model, pks in pks_by_model.items():
            found = self.restrict(model._default_manager.filter(pk__in=pks), action).count()
            if found != len(pks):
                raise OutOfScope()


def _value_at(obj, path: str):
    """What the filter `path` compares on `obj` (`post__school` → obj.post.school_id),
    from the related objects read with it; LookupError when one was not."""
    *hops, last = path.split("__")
    for hop in hops:
        cached = obj._state.fields_cache
        if hop not in cached:
            raise LookupError(path)
        obj = cached[hop]
        if obj is None:
            return None
    return getattr(obj, obj._meta.get_field(last).attname)


def write_in_scope(user, action: str, write, changed=None):
    """Run `write()` and keep what it wrote only if it lies in the user's scope for `action`.

    Every write path calls this: the API viewsets (campussafety/api/viewsets.py)
    for creates, updates and the custom actions, and the pages' save_in_scope.
    `changed(result)` names the objects the write changed when they are not
    `write()`'s result itself. Raises OutOfScope, with the write undone.
    """
    with transaction.atomic():
        result = write()
        Scope.of(user).require(result if changed is None else changed(result), action)
    return result
