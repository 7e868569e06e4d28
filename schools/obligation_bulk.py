"""What record_completion() writes for many records at once: for the demo seed and benchmarks.

record_completion() is the one write path of a completion at run time: a
handful of locking queries per record, right for one record saved at a time.
A demo of a province tells it about a quarter of a million patrol rounds,
which took most of the seed's ten minutes. `record_completions` takes every
(rule, school id, moment, source) at once: the windows of every school and rule
concerned come from due_windows() in its few queries, the completions and the
windows' summary rows are counted in memory as _recount() counts them, and
both go in with two bulk writes. It is for freshly seeded data: the windows
must have no completions yet (tests/test_seed_demo_drills.py tells every
record to record_completion() again and finds nothing changed).
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from django.utils import timezone

from campussafety.bulk import write_rows
from schools.calendar import ONE_DAY
from schools.choices import WindowStatus
from schools.models import ObligationCompletion, ObligationWindow
from schools.obligations import due_windows

COMPLETION_FIELDS = (
    "rule_id",
    "school_id",
    "source",
    "occurred_at",
    "window_start",
    "is_late",
)
WINDOW_FIELDS = (
    "rule_id",
    "school_id",
    "date",
    "window_start",
    "window_end",
    "due_at",
    "required",
    "completions",
    "on_time",
    "satisfied_at",
    "status",
)


def record_completions(items) -> int:
    """Count each (rule, school id, moment, source) towards its window, as record_completion()
    would; a moment in no window (nor in one's grace period) counts for nothing.
    Returns the number of completions stored."""
    if not items:
        return 0
    moments = [moment for _rule, _school, moment, _source in items]
    rules = {rule.pk: rule for rule, *_rest in items}
    grace = max(rule.grace for rule in rules.values())
    # As _window_at() looks: from the day before the earliest grace period began.
    first = timezone.localdate(min(moments) - grace) - ONE_DAY
    schools = sorted({school_id for _rule, school_id, *_rest in items})
    windows = defaultdict(list)
    for window in due_windows(
        schools, first, timezone.localdate(max(moments)), rules=list(rules.values())
    ):
        windows[window.rule_id, window.school_id].append(window)
    for found in windows.values():
        found.sort(key=lambda window: window.start)
    done, window_of = defaultdict(list), {}
    for rule, school_id, moment, source in items:
        window = _window_for(windows[rule.pk, school_id], moment)
        if window is not None:
            key = (window.rule_id, window.school_id, window.start)
            window_of[key] = window
            done[key].append((moment, source))
    completions, summaries = [], []
    for key, records in done.items():
        window = window_of[key]
        records.sort(key=lambda record: record[0])
        late = [moment >= window.end for moment, _source in records]
        completions += [
            (window.rule_id, window.school_id, source, moment, window.start, is_late)
            for (moment, source), is_late in zip(records, late, strict=True)
        ]
        on_time = [
            moment for (moment, _source), is_late in zip(records, late, strict=True) if not is_late
        ]
        if len(on_time) >= window.required:
            status, satisfied_at = WindowStatus.DONE, on_time[window.required - 1]
        elif len(records) >= window.required:
            status, satisfied_at = WindowStatus.LATE, records[window.required - 1][0]
        else:
            status, satisfied_at = WindowStatus.PARTIAL, None
        summaries.append(
            (
                window.rule_id,
                window.school_id,
                window.date,
                window.start,
                window.end,
                window.due,
                window.required,
                len(records),
                len(on_time),
                satisfied_at,
                status.value,
            )
        )
    write_rows(ObligationCompletion, COMPLETION_FIELDS, completions)
    write_rows(ObligationWindow, WINDOW_FIELDS, summaries)
    return len(completions)


def _window_for(windows, moment):
    """The window containing `moment`; else the latest whose grace period contains it (late)."""
    index = bisect.bisect_right([window.start for window in windows], moment) - 1
    if index >= 0 and moment < windows[index].end:
        return windows[index]
    late = [window for window in windows if window.end <= moment < window.due]
    return max(late, key=lambda window: window.end) if late else None
