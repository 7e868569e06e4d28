"""Edits that change which days are school days forget the cached answers (schools/calendar.py)."""

from django.db.models.signals import post_delete, post_save

from schools.calendar import forget_school_days
from schools.models import CalendarException, School, Term


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
