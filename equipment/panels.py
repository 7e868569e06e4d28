"""The equipment panels on the home page: the board for school staff, compliance for bureaus."""

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import FILE_SECTION_TEMPLATE, SCHOOL_FILE, FileSection, ObjectPanel, Panel

PANELS = [
    Panel(SCHOOL_STAFF, "equipment/_home_school.html", order=18),
    Panel(
        frozenset({Role.ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF}),
        "equipment/_home_bureau.html",
        order=28,
    ),
]


def file_kit(user, school):
    """The school file's kit against its standard (equipment/compliance.py): a fixed
    number of queries. None when the user sees none of the school's equipment."""
    from django.utils.translation import gettext_lazy as _

    from equipment.compliance import compliance
    from schools.models import School

    rows = compliance(School.objects.for_user(user).filter(pk=school.pk))
    if not rows:
        return None
    row = rows[0]
    return FileSection(
        title=_("Kit shortfalls"),
        header=[
            _("Pieces required"),
            _("Pieces missing"),
            _("Places short"),
            _("Pieces overdue for service"),
            _("Pieces past their scrap date"),
        ],
        rows=[
            [row.required, row.missing, row.short_places, row.service_overdue, row.scrap_overdue]
        ],
    ).as_context()


OBJECT_PANELS = [ObjectPanel(SCHOOL_FILE, FILE_SECTION_TEMPLATE, file_kit, order=40)]
