"""What the dashboards add to other pages: the school file's (一校一档) indicators and their
trend, from dashboards/values.py, as a section the school's page draws like every other."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campussafety.indicators import Unit, declared_indicators
from campussafety.panels import FILE_SECTION_TEMPLATE, SCHOOL_FILE, FileSection, ObjectPanel
from dashboards.values import trend, values
from schools.models import School

# The trend's points: the value this many days before the day of the file.
TREND_DAYS = (28, 14, 7)


def shown(row, unit) -> str:
    if row is None or row.value is None:
        return _("no data")
    if unit == Unit.PERCENT:
        return f"{row.value:.0f}%"
    return f"{row.value:.0f}"


def verdict(row) -> str:
    if row is None or row.meets_target is None:
        return "—"
    return _("met") if row.meets_target else _("not met")


def file_indicators(user, school):
    """The school's indicators today (computed live), against their targets, and the same 4,
    2 and 1 weeks back from the nightly snapshots (one GROUP BY per indicator; a day never
    snapshotted shows "no data"): a constant number of queries whatever the school holds."""
    schools = School.objects.for_user(user).filter(pk=school.pk)
    today = timezone.localdate()
    past = [today - datetime.timedelta(days=back) for back in TREND_DAYS]
    now = {row.code: row for row in values(schools, as_of=today)}
    rows = []
    for indicator in declared_indicators():
        history = {
            row.date: row
            for row in trend(indicator.code, schools, past[0], past[-1], group_by="school")
        }
        rows.append(
            [
                str(indicator.name),
                *(shown(history.get(day), indicator.unit) for day in past),
                shown(now.get(indicator.code), indicator.unit),
                verdict(now.get(indicator.code)),
            ]
        )
    return FileSection(
        title=gettext_lazy("Indicators and trend"),
        header=[
            gettext_lazy("Indicator"),
            *(
                _("%(weeks)s weeks ago") % {"weeks": back // 7} if back > 7 else _("A week ago")
                for back in TREND_DAYS
            ),
            gettext_lazy("Today"),
            gettext_lazy("Target met"),
        ],
        rows=rows,
        empty=gettext_lazy("No indicator is declared."),
    ).as_context()


# First on the file: the school's picture before its records.
OBJECT_PANELS = [ObjectPanel(SCHOOL_FILE, FILE_SECTION_TEMPLATE, file_indicators, order=5)]
