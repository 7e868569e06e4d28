"""What a photo's EXIF says about when and where it was taken, and copies without the where.

The original upload is kept as it came: its capture time and location are
evidence (a duty-log photo taken at the gate, that morning). People outside the
school and the bureau get a copy whose EXIF has no GPS block
(campussafety/media.py).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from PIL import ExifTags, Image

GPS = ExifTags.GPS
TAGS = ExifTags.Base
# APP1 segments: EXIF, and XMP, which may repeat the location in its own words.
EXIF_HEADER = b"Exif\x00\x00"
XMP_HEADERS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


@dataclass(frozen=True)
class PhotoEvidence:
    """When and where a photo says it was taken; None where it does not say."""

    # The camera's clock: local time, in TIME_ZONE unless the photo names its offset.
    taken_at: datetime.datetime | None = None
    # The satellites' clock (UTC), harder to get wrong than the phone's.
    gps_time: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    altitude: Decimal | None = None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def read_evidence(file) -> PhotoEvidence:
    """The capture time and location recorded in a stored photo (a FieldFile or a file).

    Never raises for what is inside the picture: a photo with no EXIF, or with
    values a phone got wrong, gives None for those values.
    """
    with file.open("rb") if hasattr(file, "open") else _unchanged(file) as handle:
        try:
            with Image.open(handle) as picture:
                exif = picture.getexif()
        except (OSError, SyntaxError, ValueError):
            return PhotoEvidence()
    details = exif.get_ifd(ExifTags.IFD.Exif)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    return PhotoEvidence(
        taken_at=_local_time(
            details.get(TAGS.DateTimeOriginal) or exif.get(TAGS.DateTime),
            details.get(TAGS.OffsetTimeOriginal) or details.get(TAGS.OffsetTime),
        ),
        gps_time=_gps_time(gps.get(GPS.GPSDateStamp), gps.get(GPS.GPSTimeStamp)),
        latitude=_degrees(gps.get(GPS.GPSLatitude), gps.get(GPS.GPSLatitudeRef), "S"),
        longitude=_degrees(gps.get(GPS.GPSLongitude), gps.get(GPS.GPSLongitudeRef), "W"),
        altitude=_altitude(gps.get(GPS.GPSAltitude), gps.get(GPS.GPSAltitudeRef)),
    )


class _unchanged:
    """A file already open, used as a context manager without closing it."""

    def __init__(self, file):
        self.file = file

    def __enter__(self):
        self.file.seek(0)
        return self.file

    def __exit__(self, *exc):
        return False


def _local_time(value, offset) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if offset:
        try:
            zone = datetime.datetime.strptime(str(offset).strip("\x00 "), "%z").tzinfo
            return moment.replace(tzinfo=zone)
        except ValueError:
            pass
    return timezone.make_aware(moment)


def _gps_time(date_stamp, time_stamp) -> datetime.datetime | None:
    try:
        day = datetime.datetime.strptime(str(date_stamp).strip("\x00 "), "%Y:%m:%d")
        hours, minutes, seconds = (float(part) for part in time_stamp)
        return day.replace(tzinfo=datetime.UTC) + datetime.timedelta(
            hours=hours, minutes=minutes, seconds=seconds
        )
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _degrees(parts, reference, negative_reference) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(part))) for part in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if str(reference).strip("\x00 ").upper() == negative_reference:
        value = -value
    return round(value, 7)


def _altitude(value, reference) -> Decimal | None:
    try:
        metres = Decimal(str(float(value)))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    # Reference 1 means below sea level.
    return -metres if reference in (1, b"\x01") else metres


def without_location(data: bytes) -> bytes:
    """The photo `data` with its GPS block and XMP removed, and everything else as it was.

    A JPEG is rewritten segment by segment, so its pixels are not re-encoded.
    Other formats are re-encoded only when they carry a location. Raises
    UnreadablePhoto for a file that is not a picture Pillow can read.
    """
    if data.startswith(b"\xff\xd8"):
        stripped = _jpeg_without_location(data)
        if stripped is not None:
            return stripped
    try:
        with Image.open(io.BytesIO(data)) as picture:
            exif = picture.getexif()
            has_xmp = "xmp" in picture.info or "XML:com.adobe.xmp" in picture.info
            if not exif.get_ifd(ExifTags.IFD.GPSInfo) and not has_xmp:
                return data
            exif.pop(ExifTags.IFD.GPSInfo, None)
            out = io.BytesIO()
            picture.save(out, format=picture.format, exif=exif.tobytes())
            return out.getvalue()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadablePhoto from error


class UnreadablePhoto(Exception):
    """A stored file whose location cannot be removed, because it cannot be read."""


def _jpeg_without_location(data: bytes) -> bytes | None:
    """The JPEG's segments up to the image data, without location; None if it is malformed."""
    out, position = [data[:2]], 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            # Fill byte before a marker.
            position += 1
            continue
        if marker in (0xD9, 0xDA):
            # End of image, or start of scan: the rest is image data.
            out.append(data[position:])
            return b"".join(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out.append(data[position : position + 2])
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        payload = segment[4:]
        position += 2 + length
        if marker == 0xE1 and payload.startswith(XMP_HEADERS):
            continue
        if marker == 0xE1 and payload.startswith(EXIF_HEADER):
            # Always rewritten from what Pillow read, never passed on as it came:
            # what Pillow cannot read (and so cannot vouch for) is left out.
            try:
                exif = Image.Exif()
                exif.load(payload)
                exif.pop(ExifTags.IFD.GPSInfo, None)
                if not len(exif):
                    continue
                payload = exif.tobytes()
            except Exception:
                continue
            segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2) + payload
        out.append(segment)
    return None
