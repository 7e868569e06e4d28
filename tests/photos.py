"""Real pictures made by Pillow as the tests run: with EXIF, too large, too many pixels."""

import functools
import io
import shutil
import struct
import tempfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image

TAKEN_AT = "2026:11:23 07:12:30"
# The south gate of a school in Binzhou: 37°22'48.5"N 117°58'12.25"E, 12 m.
GPS_BLOCK = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (37.0, 22.0, 48.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (117.0, 58.0, 12.25),
    ExifTags.GPS.GPSAltitudeRef: 0,
    ExifTags.GPS.GPSAltitude: 12.0,
    ExifTags.GPS.GPSDateStamp: "2026:11:22",
    ExifTags.GPS.GPSTimeStamp: (23.0, 12.0, 29.0),
}


def temporary_media(test):
    """MEDIA_ROOT in a folder removed after `test`, so uploads leave nothing behind."""
    media = tempfile.mkdtemp()
    test.addCleanup(shutil.rmtree, media, ignore_errors=True)
    return override_settings(MEDIA_ROOT=media)


def jpeg(*, taken_at=TAKEN_AT, offset="+08:00", gps=GPS_BLOCK, size=(64, 48)) -> bytes:
    """A JPEG as a phone writes it: make, capture time and, unless gps=None, location."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    if taken_at:
        details = exif.get_ifd(ExifTags.IFD.Exif)
        details[ExifTags.Base.DateTimeOriginal] = taken_at
        if offset:
            details[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def png(size=(4, 3), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


@functools.cache
def png_of_bytes(total: int) -> bytes:
    """A small, valid PNG padded to `total` bytes with a private ancillary chunk."""
    data = png()
    padding = total - len(data) - 12
    chunk = b"prVt" + bytes(padding)
    # After the signature (8 bytes) and the header chunk (25).
    return (
        data[:33]
        + struct.pack(">I", padding)
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + data[33:]
    )


@functools.cache
def png_of_pixels(width: int, height: int) -> bytes:
    """A real black-and-white PNG: a few kilobytes however many pixels it has."""
    return png((width, height), mode="1")


def upload(data: bytes, name="gate.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as picture:
        return dict(picture.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def taken_at_of(data: bytes):
    with Image.open(io.BytesIO(data)) as picture:
        return picture.getexif().get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
