"""The one door through which any app hands a hazard to the ledger.

The hazard ledger lives in the inspections app, beside the rounds that find
most hazards. Drills and equipment find hazards too, but the domain apps never
import each other (the import contracts in pyproject.toml), so they report
here, one layer down, and the ledger registers the function that files the
report when its app is ready. A report names where it came from (`origin` and
`origin_ref`, e.g. "drills.drill:42") so that reporting the same thing twice
files one hazard, and so the hazard's page can link back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schools.choices import HazardCategory, HazardLevel


@dataclass(frozen=True)
class HazardReport:
    school: Any  # schools.School
    description: str
    category: str = HazardCategory.MANAGEMENT
    level: str = HazardLevel.GENERAL
    # Where it is: free text; the ledger may link a checkpoint of its own app.
    place: str = ""
    # Which app found it ("round", "drill", "equipment", "handover", "direct"),
    # and the record that found it, "app_label.model:pk". One hazard per origin_ref.
    origin: str = "direct"
    origin_ref: str = ""
    # The page of the record that found it, shown on the hazard's page.
    origin_url: str = ""
    reported_by: Any = None  # accounts.User or None for the platform itself
    found_at: datetime | None = None
    # Extra keyword arguments the ledger understands (a checkpoint, photos…).
    extra: dict = field(default_factory=dict)


_filer: Callable[[HazardReport], Any] | None = None


def register(filer: Callable[[HazardReport], Any]) -> None:
    """The ledger calls this once, from its AppConfig.ready()."""
    global _filer
    _filer = filer


def report_hazard(report: HazardReport):
    """File `report` in the ledger and return the hazard (an existing one if
    `origin_ref` was reported before). Call it inside the caller's transaction:
    the hazard is saved, or rolled back, with the record that found it."""
    if _filer is None:
        raise RuntimeError("No hazard ledger is installed: add inspections to INSTALLED_APPS.")
    return _filer(report)
