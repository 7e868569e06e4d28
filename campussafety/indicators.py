"""Indicators: what a bureau measures, declared once by the app that holds the evidence.

An app lists its indicators in `INDICATORS` in its own `indicators.py`, found by
module convention like panels.py, so the dashboards name no domain app and an
app that has not landed simply declares nothing: an indicator that depends on
it (a composite naming its code) says "no data", never a made-up 100%.

An indicator measures each school as a `Measure`: a numerator over a
denominator (rounds done over rounds due), or a bare count (hazards open,
denominator None). Values for a district or the city are the sums of their
schools' numerators and denominators, so a roll-up is one GROUP BY over the
per-school values and a share is never an average of shares.

`compute(schools, as_of)` takes a queryset of schools and a date and returns
{school id: Measure} for the schools it has evidence for, in a constant number
of queries whatever the number of schools: it filters by the queryset as a
subquery, never by a literal list of ids. A school absent from the result has
no data for that indicator.
"""

import contextlib
import contextvars
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

# Rates over a period (coverage, patrols, fire checks) look back this many days to as_of,
# so that a value "as of" any date, and each day's snapshot, covers the same span.
TRAILING_DAYS = 30


def trailing(
    as_of: datetime.date, days: int = TRAILING_DAYS
) -> tuple[datetime.date, datetime.date]:
    """The `days` days ending on `as_of`, both ends included."""
    return as_of - datetime.timedelta(days=days - 1), as_of


def moment(as_of: datetime.date) -> datetime.datetime:
    """The moment a value "as of" a day is taken: now for today, else the end of that day."""
    if as_of >= timezone.localdate():
        return timezone.now()
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(end)


def page_url(url: str, **query) -> str:
    """`url` with the query string of the non-empty `query` values (dates as ISO)."""
    pairs = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in query.items()
        if value not in (None, "")
    }
    return f"{url}?{urlencode(pairs)}" if pairs else url


# The results of shared() helpers while a batch of indicators is computed (computing()).
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "indicator_batch", default=None
)


@contextlib.contextmanager
def computing():
    """Compute several indicators over the same schools and day sharing their helpers' work.

    The dashboards' live values and the nightly snapshot run every compute()
    inside it: a helper decorated with shared() (the coverage rows behind two
    posts indicators, the hazard counts behind four) runs once per schools and day.
    """
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def shared(helper):
    """Decorate `helper(schools, as_of, ...)` so that within computing() each distinct call
    (the same SQL for the schools, the same day and arguments) runs once."""

    @functools.wraps(helper)
    def wrapper(schools, as_of, *args, **kwargs):
        cache = _batch.get()
        if cache is None:
            return helper(schools, as_of, *args, **kwargs)
        key = (helper, str(schools.query), as_of, args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = helper(schools, as_of, *args, **kwargs)
        return cache[key]

    return wrapper


class Unit(models.TextChoices):
    PERCENT = "percent", _("per cent")
    COUNT = "count", _("count")


@dataclass(frozen=True)
class Measure:
    numerator: int
    # None: a count, not a share. 0: nothing was due, so the share is undefined.
    denominator: int | None = None

    @property
    def value(self) -> float | None:
        """The share in per cent, or the count; None when nothing was due."""
        if self.denominator is None:
            return float(self.numerator)
        if not self.denominator:
            return None
        return 100.0 * self.numerator / self.denominator

    @property
    def met(self) -> bool:
        """Whether everything due was done (a share of 100%, or a count of none)."""
        if self.denominator is None:
            return self.numerator == 0
        return bool(self.denominator) and self.numerator >= self.denominator


@dataclass(frozen=True)
class Indicator:
    # Stable identifier: the API, the snapshots and the URLs key on it ("posts.coverage").
    code: str
    name: Any
    unit: str
    # What is checked, in a sentence, and where the rule comes from.
    rule: Any
    source: str
    # (schools queryset, as_of date) -> {school id: Measure}; see the module's docstring.
    compute: Callable[[models.QuerySet, datetime.date], dict[int, Measure]]
    # (school id, as_of date) -> URL of the records that prove (or fail) the value.
    evidence: Callable[[int, datetime.date], str] | None = None
    # The target the cell is coloured against: 100 (per cent) for shares, 0 for counts.
    target: float | None = None
    higher_is_better: bool = True
    # 1–4 for the national "four 100%" (CHECKS.md §7), None for the others.
    four_100: int | None = None
    # Position on dashboards: lower first.
    order: int = 100
    # Codes of the indicators a composite combines; empty for a plain indicator.
    parts: tuple[str, ...] = field(default=())
    # Where the rule's figures are data a bureau keeps (a city's guard rule): the URL name
    # of the page showing them, their source and history; "" for a rule fixed in code.
    rule_page: str = ""

    def meets_target(self, measure: Measure | None) -> bool | None:
        """None when there is no data or no target; otherwise whether `measure` reaches it."""
        return self.value_meets_target(None if measure is None else measure.value)

    def value_meets_target(self, value: float | None) -> bool | None:
        """meets_target() of a measure's value already worked out (a table of thousands)."""
        if value is None or self.target is None:
            return None
        if self.higher_is_better:
            return value >= self.target
        return value <= self.target


def all_of(code: str, *, parts: tuple[str, ...], **declaration) -> Indicator:
    """An indicator met by a school when every one of `parts` is met there.

    Each part is the code of an indicator another app declares; a school has a
    value only where every part has one, and no school has one while any part's
    app is not installed. The measure is 1 of 1 (met) or 0 of 1 (not met), so a
    district's value is the share of its schools meeting all the parts.
    """

    def compute(schools, as_of):
        declared_parts = [declared_indicator(part) for part in parts]
        if any(part is None for part in declared_parts):
            return {}
        values = [part.compute(schools, as_of) for part in declared_parts]
        common = set(values[0]).intersection(*values[1:])
        return {
            school: Measure(int(all(value[school].met for value in values)), 1) for school in common
        }

    def evidence(school_id, as_of):
        # The first part's proof: the composite's own parts are listed beside it (`parts`).
        for part in parts:
            declared = declared_indicator(part)
            if declared is not None and declared.evidence is not None:
                return declared.evidence(school_id, as_of)
        return ""

    declaration.setdefault("unit", Unit.PERCENT)
    declaration.setdefault("target", 100.0)
    declaration.setdefault("evidence", evidence)
    return Indicator(code=code, compute=compute, parts=parts, **declaration)


@cache
def declared_indicators() -> tuple[Indicator, ...]:
    """Every installed app's INDICATORS from its indicators.py, in dashboard order."""
    found = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "indicators"):
            module = import_module(f"{app_config.name}.indicators")
            found.extend(getattr(module, "INDICATORS", ()))
    codes = [indicator.code for indicator in found]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise ValueError(f"indicator codes declared twice: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda indicator: (indicator.order, indicator.code)))


def declared_indicator(code: str) -> Indicator | None:
    return next((item for item in declared_indicators() if item.code == code), None)
