"""Edits that change the calendar or the rules forget what was worked out from them: the
cached school days (schools/calendar.py) and the materialised obligation windows
(schools/obligation_rates.py)."""

from django.db.models.signals import post_delete, post_save

from schools.calendar import forget_school_days
from schools.models import CalendarException, ObligationOverride, ObligationRule, School, Term
from schools.obligation_rates import forget_windows_of


def _calendar_changed(sender, **kwargs):
    forget_school_days()


def connect():
    for model in (Term, CalendarException):
        for signal in (post_save, post_delete):
            signal.connect(_calendar_changed, sender=model, dispatch_uid=f"calendar-{model}")
    # A school's type (kindergarten terms) and district decide its calendar too. A
    # deleted school needs no forgetting: nothing asks about it any more (and a
    # receiver would make deleting a city's schools one signal per school).
    post_save.connect(_calendar_changed, sender=School, dispatch_uid="calendar-school")
    for model in (Term, CalendarException, ObligationRule, ObligationOverride, School):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_windows_of, sender=model, dispatch_uid=f"forget_windows:{model.__name__}"
            )
