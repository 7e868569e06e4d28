"""Every API error is a JSON answer: database refusals become clear 4xx, the unexpected a 500."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from campussafety.errors import Conflict

logger = logging.getLogger("campussafety.api")


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response(
            {"detail": " ".join(exc.messages), **exc.data}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {
                "detail": _(
                    "This object is still referenced by other records and cannot be deleted."
                )
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # A concurrent write won the race for a unique value the validators had
        # checked a moment earlier.
        return Response(
            {"detail": _("This conflicts with a record that already exists.")},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        # A client of the API reads JSON, even when the server fails. The error
        # is logged with its traceback as Django would log an unhandled one.
        request = context.get("request")
        logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        set_rollback()
        response = Response(
            {"detail": APIException.default_detail},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested too deeply to parse with 400, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError() from None
