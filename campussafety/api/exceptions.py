"""Errors the database raises become clear API answers instead of 500s."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
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
    return drf_exception_handler(exc, context)
