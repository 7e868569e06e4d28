"""Ids read from query strings and other raw request data, parsed one way everywhere.

`str.isdigit()` accepts superscripts and other Unicode digits ("²") that int()
then refuses; only ASCII decimal digits within a database key's range are ids.
"""

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
