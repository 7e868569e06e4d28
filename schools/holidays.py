"""Which weekday an official make-up working day (调休上班) stands in for.

The chinesecalendar package tells, for each make-up working day, the holiday it
belongs to (`workdays`), and the weekdays given off in lieu of working days for
each holiday (`in_lieu_days`), but not which make-up day pays for which day off.
So the swapped weekday is known only when every in-lieu day of that holiday falls
on one weekday; otherwise (say a Tuesday and a Wednesday off, two Saturdays
worked) nothing is assumed and bureau staff choose.
"""

import datetime

import chinese_calendar

# How far from a make-up day its holiday's days off lie (Spring Festival: about 3 weeks).
HOLIDAY_REACH = datetime.timedelta(days=40)


def swapped_weekday(day: datetime.date) -> int | None:
    """The weekday (0 = Monday) an official make-up working day on a weekend follows,
    when the State Council calendar tells it unambiguously; None otherwise."""
    if day.weekday() < 5:
        return None
    holiday = chinese_calendar.workdays.get(day)
    if holiday is None:
        return None
    weekdays = {
        other.weekday()
        for other, name in chinese_calendar.in_lieu_days.items()
        if name == holiday and abs(other - day) <= HOLIDAY_REACH
    }
    return weekdays.pop() if len(weekdays) == 1 else None
