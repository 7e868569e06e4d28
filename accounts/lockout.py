"""What a locked-out sign-in is told, on the login pages and on the API.

django-axes decides who is locked out (settings: AXES_*); this module only
words the answer, so the page and the token endpoint say the same thing.
"""

import math

from axes.helpers import get_cool_off
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.exceptions import Throttled


def lockout_minutes() -> int:
    return math.ceil(get_cool_off().total_seconds() / 60)


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed sign-ins for this account or from this address. "
        "Try again in %(minutes)s minute.",
        "Too many failed sign-ins for this account or from this address. "
        "Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes' middleware answers a locked-out sign-in with (429)."""
    return render(
        request, "registration/locked_out.html", {"message": lockout_message()}, status=429
    )


class LockedOut(Throttled):
    """The API's answer: 429 with the message and a Retry-After header."""

    def __init__(self):
        super().__init__(detail=lockout_message())
        # Set after __init__ so DRF does not append its own "expected available" sentence.
        self.wait = lockout_minutes() * 60
