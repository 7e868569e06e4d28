"""The term's drill records of a school and the district's summary, as a printable page, .xlsx
or CSV.

?on= a day of the term (today by default); ?format=xlsx|csv downloads through
the shared export (the user's unit and the as-of date on top, the access log).
School records are for the school's staff and the bureau; the district summary
for the bureau. The page and its file read the same rows (`records()`).
"""

from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import BUREAU, SCHOOL_STAFF, Scope
from campussafety.export_views import FilingView, invalid_query
from campussafety.exports import Column, Table
from campussafety.ids import id_or_404
from campussafety.replica import reads_from_replica
from drills.exports import district_summary, drill_records, record_header, summary_header, term_of
from drills.forms_plans import TermForm
from drills.models import Drill
from schools.models import District, School


@dataclass
class Records:
    title: str
    name: str
    header: list
    rows: list
    on: object
    first: object = None
    last: object = None


def day(query):
    """(the day asked for, the form): None when the form is not valid."""
    form = TermForm(query)
    if not form.is_valid():
        return None, form
    return form.cleaned_data["on"] or timezone.localdate(), form


def school_records(user, query):
    """(Records, form) of ?school= for the term containing ?on=; Records None with the form's
    errors when the day is not one or no term of the school contains it."""
    school = get_object_or_404(School.objects.for_user(user), pk=id_or_404(query.get("school")))
    if not Scope.of(user).contains(school, roles=SCHOOL_STAFF | BUREAU):
        raise PermissionDenied
    on, form = day(query)
    if on is None:
        return None, form
    term = term_of([school.pk], on).get(school.pk)
    if term is None:
        form.add_error("on", _("No term of this school contains this day."))
        return None, form
    title = _("Drill records · %(school)s") % {"school": school.name}
    rows = drill_records(school, *term)
    return Records(title, f"drill-records-{school.code}", record_header(), rows, on, *term), form


def district_records(user, query):
    """(Records, form) of ?district=: a row per school with a term containing ?on=."""
    district = get_object_or_404(
        District.objects.for_user(user), pk=id_or_404(query.get("district"))
    )
    if not Scope.of(user).contains(district, roles=BUREAU):
        raise PermissionDenied
    on, form = day(query)
    if on is None:
        return None, form
    schools = list(School.objects.for_user(user, roles=BUREAU).filter(district=district))
    title = _("Drills of the term · %(district)s") % {"district": district.name}
    rows = district_summary(schools, on)
    return Records(title, f"drill-summary-{district.code}", summary_header(), rows, on), form


def as_table(records: Records | None, form) -> Table:
    if records is None:
        raise invalid_query(form)
    return Table(
        name=records.name,
        title=records.title,
        model=Drill,
        as_of=records.on,
        rows=records.rows,
        columns=[Column(header, itemgetter(index)) for index, header in enumerate(records.header)],
    )


def school_records_table(user, query) -> Table:
    return as_table(*school_records(user, query))


def district_records_table(user, query) -> Table:
    return as_table(*district_records(user, query))


class RecordsView(FilingView):
    """The page, or ?format=xlsx|csv its file; the address names the school or district."""

    template_name = "drills/plans/records.html"

    def page_context(self, found, query):
        return {
            "title": found.title,
            "header": found.header,
            "rows": found.rows,
            "on": found.on,
            "first": found.first,
            "last": found.last,
        }


@reads_from_replica
class SchoolRecordsView(RecordsView):
    key = "school"
    read = staticmethod(school_records)
    export_builder = staticmethod(school_records_table)


@reads_from_replica
class DistrictSummaryView(RecordsView):
    key = "district"
    read = staticmethod(district_records)
    export_builder = staticmethod(district_records_table)
