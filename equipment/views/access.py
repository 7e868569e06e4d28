"""Who opens a school's equipment pages: its staff, and the bureaus that drill down to it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from equipment.models import Movement
from schools.models import School

BOARD_ROLES = SCHOOL_STAFF | BUREAU


def equipment_school(user, pk) -> School:
    """The school asked for: 404 outside the scope, 403 for the roles these pages are not for."""
    school = get_object_or_404(School.objects.for_user(user).select_related("district"), pk=pk)
    require_board_roles(user, school)
    return school


def require_board_roles(user, school) -> None:
    if not Scope.of(user).contains(school, roles=BOARD_ROLES):
        raise PermissionDenied(
            _("The equipment pages are for the school's staff and the education bureaus.")
        )


def may_stock(user, school) -> bool:
    """May the user record movements at the school's places (from the loaded grants, no query)?"""
    scope = Scope.of(user)
    return scope.is_admin or any(
        grant.role in SCHOOL_STAFF and grant.school_id == school.pk for grant in scope.grants
    )


def may_record(user) -> bool:
    """May the user record any movement (their own school's, or transfers for the bureaus)?"""
    scope = Scope.of(user)
    return scope.is_admin or scope.has_role(*Movement.access["add"])
