"""The shared headcount link of a drill and its QR code (the token is drills.services')."""

import segno
from django.urls import reverse

from drills.services import headcount_token


def headcount_url(request, drill) -> str:
    """The absolute address class teachers open, by link or by scanning the code."""
    return request.build_absolute_uri(reverse("drills:headcount", args=[headcount_token(drill)]))


def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG, sized by the page's CSS."""
    return segno.make(data, error="m").svg_inline(scale=4, omitsize=True)
