"""Checkpoints' QR codes: a signed token naming one checkpoint, and its picture.

The token is signed with a salt of its own, so a code printed for one
checkpoint cannot be edited into another's, and no other signed value of the
site passes for it. It carries the school too: a code moved to another school
still names its own.
"""

from django.core import signing
from django.urls import reverse

from campussafety.qrcodes import qr_svg

SALT = "inspections.checkpoint-qr"


def token_for(checkpoint) -> str:
    return signing.dumps([checkpoint.pk, checkpoint.school_id], salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, int] | None:
    """(checkpoint id, school id) of a genuine token, or None."""
    try:
        checkpoint_id, school_id = signing.loads(token, salt=SALT)
        return int(checkpoint_id), int(school_id)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def scan_url(request, checkpoint) -> str:
    """The absolute address the phone's camera opens."""
    return request.build_absolute_uri(reverse("inspections:scan", args=[token_for(checkpoint)]))


__all__ = ["qr_svg", "read_token", "scan_url", "token_for"]
