"""Who reads the dashboards, and which schools: one place for every dashboard page."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.scope import BUREAU, Scope
from campussafety.ids import id_or_404
from schools.models import District, School


def bureau_schools(user):
    """The schools of the user's bureau roles (administrators: all); 403 for anyone else."""
    scope = Scope.of(user)
    if not (scope.is_admin or scope.has_role(*BUREAU)):
        raise PermissionDenied(_("Dashboards are for education bureau staff."))
    return School.objects.for_user(user, roles=BUREAU)


def district_of(user, value):
    """The district a query value names among those the user sees: None when empty, 404
    when it is not one of them (another city's district is as absent as a made-up one)."""
    if not value:
        return None
    return get_object_or_404(
        District.objects.for_user(user, roles=BUREAU).select_related("city"), pk=id_or_404(value)
    )
