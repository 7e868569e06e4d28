"""Errors the services raise that both doors (pages and API) understand."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The change lost a race: another change to the same record came first.

    A ValidationError, so a page shows it as a message like any refused input;
    the API answers it with 409 Conflict (campussafety/api/exceptions.py), with
    `data` added to the answer (such as the id of the record that came first).
    """

    def __init__(self, message, data=None):
        super().__init__(message, code="conflict")
        self.data = data or {}
