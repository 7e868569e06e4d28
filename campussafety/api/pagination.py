from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


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


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Pages by position (`cursor`), with no COUNT: for lists of millions of rows (duty
    logs), where counting them on every request costs more than the page.

    The position is the first ordering field, with an offset among rows that share
    it; a viewset names its `ordering` (a total order) as `cursor_ordering`.
    """

    def get_ordering(self, request, queryset, view):
        self.ordering = getattr(view, "cursor_ordering", self.ordering)
        return super().get_ordering(request, queryset, view)
