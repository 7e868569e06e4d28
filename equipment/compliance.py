"""Kit compliance of many schools at once, and an item's history: what the bench measures.

`kit_compliance` sums equipment/services.py's shortfalls per school, district
or city (the five queries of `shortfalls`, whatever the number of schools);
`item_history` is a piece's ledger, newest first, in one query.
"""

from collections import defaultdict
from dataclasses import dataclass

from equipment.models import Movement
from equipment.services import shortfalls

GROUPINGS = ("school", "district", "city")


@dataclass(frozen=True)
class Compliance:
    key: int
    schools: int
    compliant: int
    places_short: int
    pieces_missing: int

    @property
    def rate(self) -> float | None:
        return self.compliant / self.schools if self.schools else None


def kit_compliance(schools, group: str = "district", today=None) -> list[Compliance]:
    """Schools meeting the kit standard everywhere, and the pieces missing, by `group`.

    Six queries: the schools' units, then the five of `shortfalls`.
    """
    if group not in GROUPINGS:
        raise ValueError(f"group must be one of {GROUPINGS}")
    field = {"school": "pk", "district": "district_id", "city": "district__city_id"}[group]
    units = dict(schools.order_by().values_list("pk", field))
    short_schools, places, pieces = defaultdict(set), defaultdict(set), defaultdict(int)
    for shortfall in shortfalls(schools, today):
        key = units[shortfall.school_id]
        short_schools[key].add(shortfall.school_id)
        places[key].add(shortfall.location_id)
        pieces[key] += shortfall.missing
    totals = defaultdict(int)
    for key in units.values():
        totals[key] += 1
    return [
        Compliance(
            key,
            total,
            total - len(short_schools[key]),
            len(places[key]),
            pieces[key],
        )
        for key, total in sorted(totals.items())
    ]


HISTORY_FIELDS = (
    "pk",
    "kind",
    "happened_at",
    "held_delta",
    "faulty_delta",
    "reason",
    "recorded_by__username",
    "location__name",
    "to_location__name",
)


def item_history(item_id: int, limit: int = 50) -> list[dict]:
    """The newest `limit` movements of a piece: what, when, who and where (one query).

    Served by the (item, -happened_at) index, however long the history; rows,
    not model instances, as a history page only shows them.
    """
    return list(
        Movement.objects.filter(item_id=item_id)
        .order_by("-happened_at", "-pk")
        .values(*HISTORY_FIELDS)[:limit]
    )
