from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
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
