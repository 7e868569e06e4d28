"""Dates asked for by pages and the API, checked the same way by both.

Every date input, in a form, a serializer, a filter or a query string, lies
within EARLIEST … LATEST: a school calendar has no use for other years, and a
day near date.max overflows as soon as a week or a range is added to it.
"""

import datetime

from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def bounds_message() -> str:
    return _("Give a date from %(earliest)s to %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": LATEST.isoformat(),
    }


def check_date_bounds(value) -> None:
    """The validator of every date field (forms, serializers and filters)."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(bounds_message(), code="date_bounds")


def query_date(value, default: datetime.date) -> datetime.date:
    """A YYYY-MM-DD query-string value; `default` when missing or not a real date.

    A real date outside the bounds is a bad request (400), not a silent default.
    """
    try:
        day = datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    if not EARLIEST <= day <= LATEST:
        raise BadRequest(bounds_message())
    return day


def date_range_errors(start, end, max_days) -> dict[str, str]:
    """The field errors of a range from `start` to `end` (both included), or none.

    A form adds them with add_error, a serializer raises them: the same words either way.
    """
    if end < start:
        return {"end": _("The end is before the start.")}
    if (end - start).days >= max_days:
        return {"end": _("Ask for at most %(days)s days at a time.") % {"days": max_days}}
    return {}


# Presets offered beside every date-range filter, in the order they are shown.
PRESET_KEYS = ("yesterday", "this_week", "this_month", "this_term", "last_term")


def range_presets(today: datetime.date, terms=(None, None)) -> list[tuple[str, str, tuple]]:
    """[(key, label, (start, end))] of the presets a date-range filter offers.

    `terms` is (this term, last term), each (first day, last day) or None, as
    schools.calendar.current_terms() finds them for the user; a term the
    calendar does not know is left out rather than guessed. Ranges that run on
    past today stop at today: nothing is due in the future yet.
    """
    monday = today - datetime.timedelta(days=today.weekday())
    this_term, last_term = terms
    spans = {
        "yesterday": (today - datetime.timedelta(days=1),) * 2,
        "this_week": (monday, today),
        "this_month": (today.replace(day=1), today),
        "this_term": (this_term[0], min(this_term[1], today)) if this_term else None,
        "last_term": last_term,
    }
    labels = {
        "yesterday": _("Yesterday"),
        "this_week": _("This week"),
        "this_month": _("This month"),
        "this_term": _("This term"),
        "last_term": _("Last term"),
    }
    return [(key, labels[key], spans[key]) for key in PRESET_KEYS if spans[key]]
