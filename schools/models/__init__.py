"""The organisation and its calendar (organisation.py); recurring obligations (obligations.py)."""

from schools.models.obligations import (
    ObligationCompletion,
    ObligationCoverage,
    ObligationExcuse,
    ObligationOverride,
    ObligationRule,
    ObligationWindow,
)
from schools.models.organisation import (
    CalendarException,
    City,
    District,
    Gate,
    LocatedModel,
    PoliceStation,
    School,
    ScopedManager,
    Term,
    TimeStampedModel,
)

__all__ = [
    "CalendarException",
    "City",
    "District",
    "Gate",
    "LocatedModel",
    "ObligationCompletion",
    "ObligationCoverage",
    "ObligationExcuse",
    "ObligationOverride",
    "ObligationRule",
    "ObligationWindow",
    "PoliceStation",
    "School",
    "ScopedManager",
    "Term",
    "TimeStampedModel",
]
