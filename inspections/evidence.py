"""What a round's photo proves: its checksum, capture time and place, and why it may be doubted.

A doubtful photo is kept and flagged for the reviewer, never refused: a guard
with a wrong phone clock must still be able to finish the round.
"""

import datetime
import hashlib
import io
import math

from campussafety.exif import read_evidence
from inspections.choices import PhotoFlag

# A photo taken this long before its round started was not taken on it.
MAX_AGE_BEFORE_ROUND = datetime.timedelta(hours=2)
# Farther than this from the school's point: not taken there (GPS on a phone
# indoors is often off by a few hundred metres).
MAX_DISTANCE_METRES = 1000
EARTH_RADIUS_METRES = 6_371_000


def distance_metres(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine) between two WGS-84 points."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def fill_photo_evidence(answer, school, round_started_at) -> None:
    """Set the photo's checksum, EXIF time and place, and flags (one query: re-use)."""
    from inspections.models import Answer

    # The upload is within UPLOAD_MAX_BYTES (the field's validators): read it once.
    upload = answer.photo.file
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    answer.photo_sha256 = hashlib.sha256(data).hexdigest()
    evidence = read_evidence(io.BytesIO(data))
    answer.photo_taken_at = evidence.taken_at
    answer.photo_latitude, answer.photo_longitude = evidence.latitude, evidence.longitude
    flags = []
    if evidence.taken_at and evidence.taken_at < round_started_at - MAX_AGE_BEFORE_ROUND:
        flags.append(PhotoFlag.OLD)
    if (
        evidence.has_location
        and school.latitude is not None
        and distance_metres(
            evidence.latitude, evidence.longitude, school.latitude, school.longitude
        )
        > MAX_DISTANCE_METRES
    ):
        flags.append(PhotoFlag.FAR)
    earlier = Answer.objects.filter(photo_sha256=answer.photo_sha256)
    if answer.pk:
        earlier = earlier.exclude(pk=answer.pk)
    if earlier.exists():
        flags.append(PhotoFlag.REUSED)
    answer.photo_flags = [str(flag) for flag in flags]
