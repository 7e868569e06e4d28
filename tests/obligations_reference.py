"""The completion rates worked out in Python from the calendar: what the database must equal.

schools.obligation_rates.completion_rates() counts materialised window rows
in one query; this is the computation it replaced, kept as the reference
tests/test_obligation_rates_db.py compares it with.
"""

from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from schools.choices import WindowStatus
from schools.models import ObligationWindow, School
from schools.obligation_rates import GROUPINGS, SATISFIED, RateRow
from schools.obligations import _at, _plan


def reference_rates(
    user, start, end, group_by="school", rules=None, domain=None, schools=None, now=None
) -> list[RateRow]:
    """Completion of the windows overlapping [start, end] in `user`'s scope, grouped, in Python.

    The computation completion_rates() made before windows were materialised:
    denominators from the calendar (_plan()), numerators from the window rows
    that have a completion or an excuse (rows kept empty by materialisation
    count nothing). Only groups with a due window are compared.
    """
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    now = now or timezone.now()
    scoped = School.objects.for_user(user)
    if schools is not None:
        scoped = scoped.filter(pk__in=[s.pk if isinstance(s, School) else s for s in schools])
    due_by_school, due_by_day, rule_ids = Counter(), Counter(), set()
    counted_cache = {}
    for school_id, rule, _terms, spans in _plan(scoped, start, end, rules, domain):
        rule_ids.add(rule.pk)
        key = id(spans)
        if key not in counted_cache:
            counted_cache[key] = Counter(
                day for day, _o, closes in spans if closes + _terms.grace <= now
            )
        counted = counted_cache[key]
        due_by_school[school_id] += sum(counted.values())
        if group_by == "day":
            due_by_day.update(counted)
    rows = {}
    if group_by == "day":
        for day in sorted(due_by_day):
            rows[day] = RateRow(key=day, label=day.isoformat(), due=due_by_day[day])
        field_name = "date"
    else:
        field_name = {
            "school": "school_id",
            "district": "school__district_id",
            "city": "school__district__city_id",
        }[group_by]
        for pk, name, district_id, district, city_id, city in School.objects.filter(
            pk__in=list(due_by_school)
        ).values_list(
            "pk",
            "name",
            "district_id",
            "district__name",
            "district__city_id",
            "district__city__name",
        ):
            key, label = {
                "school": (pk, name),
                "district": (district_id, district),
                "city": (city_id, city),
            }[group_by]
            rows.setdefault(key, RateRow(key=key, label=label)).due += due_by_school[pk]
    if not rows:
        return []
    satisfied = Q(status__in=SATISFIED)
    not_yet_due = Q(due_at__gt=now)
    for values in (
        ObligationWindow.objects.filter(
            rule_id__in=rule_ids,
            school_id__in=list(due_by_school),
            date__lte=end,
            window_end__gt=_at(start),
            planned=True,  # a window the calendar no longer asks for is not one
        )
        .values(field_name)
        .annotate(
            done=Count("pk", filter=Q(status=WindowStatus.DONE)),
            late=Count("pk", filter=Q(status=WindowStatus.LATE)),
            done_early=Count("pk", filter=satisfied & not_yet_due),
            excused=Count("pk", filter=Q(excused=True) & ~satisfied & ~not_yet_due),
        )
        .order_by()
    ):
        row = rows.get(values[field_name])
        if row is not None:
            row.done, row.late = values["done"], values["late"]
            row.done_early, row.excused = values["done_early"], values["excused"]
    return list(rows.values())
