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
_bulk_filer: Callable[[list[HazardReport]], list] | None = None


def register(
    filer: Callable[[HazardReport], Any],
    bulk_filer: Callable[[list[HazardReport]], list] | None = None,
) -> None:
    """The ledger calls this once, from its AppConfig.ready(): `filer` files one
    report, `bulk_filer` (if the ledger has one) a list of them in a few queries."""
    global _filer, _bulk_filer
    _filer, _bulk_filer = filer, bulk_filer


def report_hazard(report: HazardReport):
    """File `report` in the ledger and return the hazard (an existing one if
    `origin_ref` was reported before). Call it inside the caller's transaction:
    the hazard is saved, or rolled back, with the record that found it."""
    return report_hazards([report])[0]


def report_hazards(reports: list[HazardReport]) -> list:
    """File many reports at once (a sweep's findings) and return their hazards in the
    same order: the same hazards as `report_hazard` on each, in a fixed number of
    queries when the ledger files in bulk. In the caller's transaction, as above."""
    if _filer is None:
        raise RuntimeError("No hazard ledger is installed: add inspections to INSTALLED_APPS.")
    if _bulk_filer is None:
        return [_filer(report) for report in reports]
    return _bulk_filer(reports)
