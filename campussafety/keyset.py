"""Keyset pages: a list read after (or before) a position, never counted and never offset.

A position is the ordering's values of a row (the last one shown), carried in a
page link as text (`2026-11-20~17`). A page is the `size` rows after it, read
with a WHERE on the ordering's columns, so a deep page costs what the first
does, and nothing counts the list: the lists of a city run to millions of rows.

The list is a KeysetRows: a queryset in a total order (OrderedQuerySet), or a
sequence worked out in hand-written SQL (posts.coverage.MissedDays) that reads
its own rows after a position. The position's text is read and written here
only, for the pages (campussafety.views.keyset_context) and the API
(campussafety.api.pagination.KeysetPagination) alike: a position that is not
one (a link edited by hand) is a 400.
"""

from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SEPARATOR = "~"
INVALID = _("This page link is not valid any more.")


class BadCursor(BadRequest):
    """A page link whose position is not one: a 400 saying so (INVALID)."""

    def __init__(self):
        super().__init__(INVALID)


class KeysetRows:
    """A list read a keyset page at a time. A subclass says how a position's text reads
    back (`parse`), which position a row stands at (`position`) and reads the rows after
    a position (`read`)."""

    def parse(self, parts: list[str]) -> tuple:
        """The position the cursor's parts name; ValueError (or ValidationError) if none."""
        raise NotImplementedError

    def position(self, row) -> tuple:
        raise NotImplementedError

    def read(self, position, limit: int, backwards: bool = False) -> list:
        """At most `limit` rows after `position` (None: from the first) in the list's order;
        `backwards`: those before it, nearest first."""
        raise NotImplementedError


class OrderedQuerySet(KeysetRows):
    """A queryset in `ordering` (field names, "-" for descending, together a total order)."""

    def __init__(self, queryset, ordering):
        self.queryset = queryset.order_by(*ordering)
        self.fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]

    def parse(self, parts):
        if len(parts) != len(self.fields):
            raise ValueError(parts)
        meta = self.queryset.model._meta
        return tuple(
            (meta.pk if name == "pk" else meta.get_field(name)).to_python(part)
            for (name, _descending), part in zip(self.fields, parts, strict=True)
        )

    def position(self, row):
        return tuple(getattr(row, name) for name, _descending in self.fields)

    def read(self, position, limit, backwards=False):
        rows = self.queryset.reverse() if backwards else self.queryset
        if position is not None:
            after = Q()
            for index, (name, descending) in enumerate(self.fields):
                # Further on: greater on an ascending field, less on a descending one, and
                # the other way round going backwards.
                greater = descending == backwards
                step = Q(**{f"{name}__{'gt' if greater else 'lt'}": position[index]})
                for (earlier, _descending), value in zip(
                    self.fields[:index], position[:index], strict=True
                ):
                    step &= Q(**{earlier: value})
                after |= step
            rows = rows.filter(after)
        return list(rows[:limit])


def decode(rows: KeysetRows, cursor: str | None):
    """The position `cursor` names in `rows`, None for no cursor; BadCursor (a 400) when
    it names none."""
    if not cursor:
        return None
    try:
        return rows.parse(cursor.split(SEPARATOR))
    except (ValueError, TypeError, ValidationError):
        raise BadCursor from None


def encode(position) -> str:
    return SEPARATOR.join(str(value) for value in position)


def read_page(rows: KeysetRows, position, size: int, backwards: bool = False):
    """The page of `size` rows after `position` (before it, `backwards`), in the list's
    order, and whether more lie beyond it in that direction: one read of size + 1 rows."""
    found = rows.read(position, size + 1, backwards)
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    return found, more


def keyset_page(rows, ordering, cursor, size):
    """A page of `rows` (a KeysetRows, or a queryset in `ordering`) after the row `cursor`
    names, and the cursor of the next page (None on the last)."""
    if not isinstance(rows, KeysetRows):
        rows = OrderedQuerySet(rows, ordering)
    found, more = read_page(rows, decode(rows, cursor), size)
    return found, (encode(rows.position(found[-1])) if more else None)


def walk(rows: KeysetRows, size: int):
    """Every row of `rows`, a page (a list of at most `size`) at a time: an export's chunks."""
    position = None
    while True:
        found, more = read_page(rows, position, size)
        if found:
            yield found
        if not more:
            return
        position = rows.position(found[-1])
