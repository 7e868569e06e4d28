"""A school year of patrol and fire-patrol rounds, written set-based for `bench_inspections`.

For each school, every window of the security patrol (five a school day) and
the daily fire patrol over its last `days` school days gets a finished round
by the school's guard, with its scans and every item answered (all passed),
except a share of missed windows and of rounds finished late, within the grace
period. Rounds, scans, answers, completions and window summaries go in with
campussafety.bulk.write_rows in batches of schools; the rounds' ids are read
back by their natural key (school, rule, start). The completions and windows
are the rows record_completion() would have written for these rounds
(tests/test_bench_inspections.py records them again and compares).
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleAssignment
from campussafety.bulk import write_rows
from inspections.choices import RoundStatus
from inspections.models import Answer, Checkpoint, InspectionRule, Round, Scan
from schools.calendar import school_days
from schools.choices import WindowStatus
from schools.models import ObligationCompletion, ObligationWindow, School
from schools.obligation_rates import forget_windows
from schools.obligations import _plan

RULES = ("security-patrol", "fire-patrol")
SCHOOL_BATCH = 100
# Share of windows without a round, and of rounds finished after the window closed.
MISSED, LATE = 0.06, 0.04
ROUND_MINUTES = 15
LOOKBACK = 366
ROUND_FIELDS = (
    "school_id",
    "rule_id",
    "version_id",
    "inspector_id",
    "started_at",
    "finished_at",
    "status",
)
SCAN_FIELDS = ("round_id", "checkpoint_id", "scanned_at")
ANSWER_FIELDS = ("round_id", "checkpoint_id", "item_id", "passed", "answered_at")
COMPLETION_FIELDS = ("rule_id", "school_id", "source", "occurred_at", "window_start", "is_late")
WINDOW_FIELDS = (
    "rule_id",
    "school_id",
    "window_start",
    "date",
    "window_end",
    "due_at",
    "required",
    "completions",
    "on_time",
    "satisfied_at",
    "status",
)


def inspection_rules():
    """The patrol rules the benchmark writes rounds of (national defaults), with checklists."""
    return list(
        InspectionRule.objects.select_related("obligation", "template")
        .filter(obligation__code__in=RULES, obligation__city__isnull=True)
        .order_by("pk")
    )


def synthesize(school_ids, today, days, rng) -> dict[str, int]:
    """Write the rounds of the last `days` school days before `today`; returns counts by kind."""
    versions = {rule.pk: rule.template.current_version for rule in inspection_rules()}
    rules = [rule for rule in inspection_rules() if versions[rule.pk] is not None]
    by_obligation = {rule.obligation_id: rule for rule in rules}
    obligations = [rule.obligation for rule in rules]
    items = {rule.pk: list(versions[rule.pk].items.order_by("position")) for rule in rules}
    counts = defaultdict(int)
    yesterday = today - datetime.timedelta(days=1)
    with transaction.atomic():
        for first in range(0, len(school_ids), SCHOOL_BATCH):
            batch = school_ids[first : first + SCHOOL_BATCH]
            calendar = school_days(batch, yesterday - datetime.timedelta(LOOKBACK - 1), yesterday)
            cutoff = {
                school_id: (chosen[-days:] or (today,))[0] for school_id, chosen in calendar.items()
            }
            if not cutoff:
                continue
            guards = dict(
                RoleAssignment.objects.filter(role=Role.GUARD, school_id__in=batch)
                .order_by("school_id", "pk")
                .values_list("school_id", "user_id")
            )
            points = defaultdict(list)
            for pk, school_id, kind in Checkpoint.objects.filter(
                school_id__in=batch, is_active=True
            ).values_list("pk", "school_id", "kind"):
                points[school_id].append((pk, kind))
            # Materialised windows with nothing done get their rounds like any
            # other; the benchmark materialises again afterwards.
            ObligationWindow.objects.filter(
                school_id__in=batch, completions=0, excused=False
            ).delete()
            forget_windows(School.objects.filter(pk__in=batch))
            taken = set(
                ObligationWindow.objects.filter(
                    school_id__in=batch, rule_id__in=list(by_obligation)
                ).values_list("rule_id", "school_id", "window_start")
            )
            plans = []
            for school_id, obligation, terms, spans in _plan(
                list(cutoff), min(cutoff.values()), yesterday, rules=obligations
            ):
                if school_id not in guards:
                    continue
                starts = [span[1] for span in spans]
                for n, (day, opens, closes) in enumerate(spans):
                    if day < cutoff[school_id] or closes + terms.grace > timezone.now():
                        continue
                    if (obligation.pk, school_id, opens) in taken or rng.random() < MISSED:
                        continue
                    finished = _finish_time(rng, opens, closes, terms.grace, starts[n + 1 :])
                    plans.append(
                        (
                            school_id,
                            by_obligation[obligation.pk],
                            day,
                            opens,
                            closes,
                            terms,
                            finished,
                        )
                    )
            _write_batch(plans, guards, points, versions, items, counts)
    return dict(counts)


def _finish_time(rng, opens, closes, grace, later_starts):
    """Inside the window, or now and then late, but only when no later window has opened."""
    late = closes + grace / 2
    if grace and rng.random() < LATE and not any(start <= late for start in later_starts):
        return late
    room = (closes - opens).total_seconds() - (ROUND_MINUTES + 1) * 60
    return opens + datetime.timedelta(seconds=ROUND_MINUTES * 60 + rng.random() * max(room, 0))


def _write_batch(plans, guards, points, versions, items, counts):
    if not plans:
        return
    round_rows = [
        (
            school_id,
            rule.pk,
            versions[rule.pk].pk,
            guards[school_id],
            finished - datetime.timedelta(minutes=ROUND_MINUTES),
            finished,
            RoundStatus.COMPLETE,
        )
        for school_id, rule, _day, _opens, _closes, _terms, finished in plans
    ]
    before = Round.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counts["rounds"] += write_rows(Round, ROUND_FIELDS, round_rows)
    ids = {
        (school_id, rule_id, started): pk
        for pk, school_id, rule_id, started in Round.objects.filter(pk__gt=before).values_list(
            "pk", "school_id", "rule_id", "started_at"
        )
    }
    scans, answers, completions, windows = [], [], [], []
    for (school_id, rule, day, opens, closes, terms, finished), row in zip(
        plans, round_rows, strict=True
    ):
        round_id = ids[(school_id, rule.pk, row[4])]
        visited = [
            (pk, kind)
            for pk, kind in points.get(school_id, ())
            if not rule.checkpoint_kinds or kind in rule.checkpoint_kinds
        ]
        for n, (checkpoint_id, kind) in enumerate(visited):
            scans.append((round_id, checkpoint_id, row[4] + datetime.timedelta(seconds=n)))
            answers += [
                (round_id, checkpoint_id, item.pk, True, finished)
                for item in items[rule.pk]
                if kind in item.checkpoint_kinds
            ]
        answers += [
            (round_id, None, item.pk, True, finished)
            for item in items[rule.pk]
            if not item.checkpoint_kinds
        ]
        is_late = finished >= closes
        completions.append(
            (
                rule.obligation_id,
                school_id,
                f"inspections.round:{round_id}",
                finished,
                opens,
                is_late,
            )
        )
        windows.append(
            window_row(
                rule.obligation_id, school_id, day, opens, closes, terms, [(finished, is_late)]
            )
        )
    counts["scans"] += write_rows(Scan, SCAN_FIELDS, scans)
    counts["answers"] += write_rows(Answer, ANSWER_FIELDS, answers)
    counts["completions"] += write_rows(ObligationCompletion, COMPLETION_FIELDS, completions)
    counts["windows"] += write_rows(ObligationWindow, WINDOW_FIELDS, windows)


def window_row(rule_id, school_id, day, opens, closes, terms, done):
    """The summary row schools.obligations._recount() keeps for these (moment, late) completions."""
    done = sorted(done)
    on_time = [moment for moment, late in done if not late]
    if len(on_time) >= terms.required:
        status, satisfied = WindowStatus.DONE, on_time[terms.required - 1]
    elif len(done) >= terms.required:
        status, satisfied = WindowStatus.LATE, done[terms.required - 1][0]
    else:
        status, satisfied = WindowStatus.PARTIAL, None
    return (
        rule_id,
        school_id,
        opens,
        day,
        closes,
        closes + terms.grace,
        terms.required,
        len(done),
        len(on_time),
        satisfied,
        status,
    )
