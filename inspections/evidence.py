"""What a round's photo proves: its checksum, capture time and place, and why it may be doubted.

A doubtful photo is kept and flagged for the reviewer, never refused: a guard
with a wrong phone clock must still be able to finish the round.
"""

import datetime
import hashlib
import io
import math
from dataclasses import dataclass

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


@dataclass
class PhotoFacts:
    sha256: str
    taken_at: datetime.datetime | None
    latitude: object
    longitude: object
    flags: list[str]


def read_photo(upload, school, not_before, earlier) -> PhotoFacts:
    """A photo's checksum, EXIF time and place, and flags.

    `not_before`: a photo taken long before this was not taken for the record.
    `earlier(sha256)`: whether another record already used the same photo.
    """
    # The upload is within UPLOAD_MAX_BYTES (the field's validators): read it once.
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    sha256 = hashlib.sha256(data).hexdigest()
    evidence = read_evidence(io.BytesIO(data))
    flags = []
    if evidence.taken_at and evidence.taken_at < not_before - MAX_AGE_BEFORE_ROUND:
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
    if earlier(sha256):
        flags.append(PhotoFlag.REUSED)
    return PhotoFacts(
        sha256, evidence.taken_at, evidence.latitude, evidence.longitude, [str(f) for f in flags]
    )


def fill_photo_evidence(answer, school, round_started_at) -> None:
    """Set the answer photo's checksum, EXIF time and place, and flags (one query: re-use)."""
    from inspections.models import Answer

    def earlier(sha256):
        rows = Answer.objects.filter(photo_sha256=sha256)
        if answer.pk:
            rows = rows.exclude(pk=answer.pk)
        return rows.exists()

    found = read_photo(answer.photo.file, school, round_started_at, earlier)
    answer.photo_sha256 = found.sha256
    answer.photo_taken_at = found.taken_at
    answer.photo_latitude, answer.photo_longitude = found.latitude, found.longitude
    answer.photo_flags = found.flags


def fill_hazard_photo_evidence(photo, school, found_at) -> None:
    """The same for a hazard's photo; a photo already on a round or a hazard is re-used."""
    from inspections.models import Answer, HazardPhoto

    def earlier(sha256):
        return (
            HazardPhoto.objects.filter(sha256=sha256).exists()
            or Answer.objects.filter(photo_sha256=sha256).exists()
        )

    found = read_photo(photo.image.file, school, found_at, earlier)
    photo.sha256 = found.sha256
    photo.taken_at = found.taken_at
    photo.latitude, photo.longitude = found.latitude, found.longitude
    photo.flags = found.flags
