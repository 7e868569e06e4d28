"""Ids read from query strings and other raw request data, parsed one way everywhere.

`str.isdigit()` accepts superscripts and other Unicode digits ("²") that int()
then refuses; only ASCII decimal digits within a database key's range are ids.
"""

import json

from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import Http404

# The largest value of a 64-bit signed primary key.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id `value` names, or None when it names none."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_or_404(value) -> int:
    """The id a query string names, or a 404, as for an id that does not exist."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


# A JSON array of ids (one %s parameter) unpacked by the database itself, as the rows of
# a subquery, by vendor: any_of() below, and record()'s own statements.
ID_ROWS = {
    "postgresql": "SELECT value::bigint FROM jsonb_array_elements_text(%s::jsonb)",
    "sqlite": "SELECT value FROM json_each(%s)",
}


def any_of(ids):
    """`ids` as ONE parameter for an `__in` lookup: `filter(school_id__in=any_of(ids))`.

    A literal IN list of a city's thousands of places is a statement of hundreds of
    kilobytes that Django, the driver and the database each take apart value by
    value (a sweep spent seconds on that); a JSON array is one value the database
    unpacks as a subquery.
    """
    return RawSQL(ID_ROWS[connection.vendor], [json.dumps(sorted(set(ids)))])
