from base64 import b64encode
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.utils.urls import replace_query_param

from campussafety import keyset


class StrictPageSizeMixin:
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        # DRF quietly falls back to the default size on a bad value; a client
        # that asked for something else should hear that it did not get it.
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and not (value.isascii() and value.isdecimal() and int(value) > 0):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    pass


def bad_cursor():
    """A cursor that is not one (edited by hand): a 400 naming it, on every cursor-paged list
    as on the keyset pages (campussafety.keyset)."""
    return ValidationError({"cursor": [str(keyset.INVALID)]})


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Pages by position (`cursor`), with no COUNT: for lists of millions of rows (duty
    logs), where counting them on every request costs more than the page.

    The position is the first ordering field, with an offset among rows that share
    it; a viewset names its `ordering` (a total order) as `cursor_ordering`.
    """

    def get_ordering(self, request, queryset, view):
        self.ordering = getattr(view, "cursor_ordering", self.ordering)
        return super().get_ordering(request, queryset, view)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise bad_cursor() from None


def keyset_cursor(position, reverse=False) -> str:
    """The `cursor` parameter of KeysetPagination naming `position` (going back from it when
    `reverse`): DRF's encoding, the position written by campussafety.keyset."""
    tokens = {"p": keyset.encode(position), **({"r": "1"} if reverse else {})}
    return b64encode(urlencode(tokens).encode("ascii")).decode("ascii")


class KeysetPagination(CursorPagination):
    """Cursor pages of a list worked out in SQL (a campussafety.keyset.KeysetRows, e.g.
    posts.coverage.MissedDays) rather than a queryset: the same `{next, previous, results}`
    and `cursor` as the other cursor-paged lists, the position being the last row's
    ordering values (the first's, going back), read and checked by campussafety.keyset
    as the pages read theirs. One read of the rows a page, never counted nor offset."""

    def paginate_queryset(self, rows, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        cursor = self.decode_cursor(request)
        reverse = cursor is not None and cursor.reverse
        try:
            position = keyset.decode(rows, cursor.position if cursor else None)
        except keyset.BadCursor:
            raise bad_cursor() from None
        page, more = keyset.read_page(rows, position, self.page_size, backwards=reverse)
        # Beyond the page in the direction read: `more`; behind it, whatever came before
        # its position. The links go on from its last row and back from its first.
        if reverse:
            self.has_next, self.has_previous = position is not None, more
        else:
            self.has_next, self.has_previous = more, position is not None
        ends = (rows.position(page[0]), rows.position(page[-1])) if page else (position, position)
        self.previous_position, self.next_position = ends
        return page

    def get_next_link(self):
        return self._link(self.next_position) if self.has_next else None

    def get_previous_link(self):
        return self._link(self.previous_position, reverse=True) if self.has_previous else None

    def _link(self, position, reverse=False):
        cursor = keyset_cursor(position, reverse)
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)
