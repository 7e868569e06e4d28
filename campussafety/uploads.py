"""Uploaded photos: the field that declares them private, their limits, and the registry.

A model declares a private photo by using ``ProtectedImageField`` (a private
document: ``ProtectedFileField``). That is the whole declaration: the media
view (campussafety/media.py) finds the field from the first folder of a stored
path (``upload_to``), and serves the file only to users who can see its object
through ``Model.objects.for_user(user, "view")``.

The limits are validators on the field, so the pages' forms, the API and the
admin refuse the same files with the same words. They read only the picture's
header: a picture is never decoded to be checked, so a decompression bomb costs
nothing to refuse.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

# Formats a phone or a camera produces, and that browsers show. Anything else
# (TIFF, BMP, PSD...) is refused even when Pillow could read it.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# Copies with the location removed live under this folder of the same storage
# (campussafety/media.py); no protected field may upload into it.
STRIPPED_FOLDER = "gps-stripped"


def _is_new_upload(value) -> bool:
    # A stored file was checked when it was uploaded; editing an object's other
    # fields must neither re-read it nor fail because of it.
    return not getattr(value, "_committed", False)


def validate_upload_size(value):
    if not _is_new_upload(value):
        return
    limit = settings.UPLOAD_MAX_BYTES
    if value.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
        )


def validate_photo(value):
    """A JPEG, PNG or WebP picture within the pixel limit, judged from its header alone."""
    if not _is_new_upload(value):
        return
    limit = settings.UPLOAD_MAX_MEGAPIXELS
    position = value.tell() if hasattr(value, "tell") else 0
    try:
        value.seek(0)
        # Image.open reads the header only; nothing here decodes pixel data.
        # Its warning about a large picture is ours to give, as an error.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(value) as picture:
                image_format, (width, height) = picture.format, picture.size
    except Image.DecompressionBombError:
        # Pillow's own ceiling (twice its default limit) is above ours: the
        # picture is far too large.
        raise ValidationError(
            _("The picture has more than %(limit)s megapixels."),
            code="too_many_pixels",
            params={"limit": limit},
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(_("The file is not a picture."), code="invalid_image") from None
    finally:
        value.seek(position)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP picture."), code="photo_format")
    if width * height > limit * 1_000_000:
        raise ValidationError(
            _("The picture is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels."),
            code="too_many_pixels",
            params={"width": width, "height": height, "limit": limit},
        )


class _ProtectedUpload:
    """What every protected field shares: a fixed folder of its own and an indexed column.

    ``upload_to`` must start with a fixed folder of its own ("duty-logs/%Y/%m/"):
    the media view finds the field by that folder, and the system check
    ``uploads.E001`` refuses a clash. The column is indexed so that the view
    finds the object of a stored path in one query.
    """

    # Photos carry the place they were taken: viewers outside the school and the
    # bureau get a copy without it (campussafety/media.py).
    strips_location = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    @property
    def folder(self) -> str | None:
        if callable(self.upload_to):
            return None
        folder = str(self.upload_to).split("/", 1)[0]
        return folder if folder and "%" not in folder else None

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.folder is None:
            errors.append(
                checks.Error(
                    f"A {type(self).__name__}'s upload_to must start with a fixed folder.",
                    obj=self,
                    id="uploads.E002",
                )
            )
        return errors


class ProtectedImageField(_ProtectedUpload, models.ImageField):
    """A photo served only to the users who can see its object, within the upload limits."""

    default_validators = [
        *models.ImageField.default_validators,
        validate_upload_size,
        validate_photo,
    ]


# Documents a bureau files (an emergency plan): PDF, Word, WPS and OpenDocument text.
DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "wps", "odt"]


class ProtectedFileField(_ProtectedUpload, models.FileField):
    """A document served only to the users who can see its object, within the size limit.

    A document has no location to strip: whoever may see its object gets it as filed.
    """

    strips_location = False
    default_validators = [
        FileExtensionValidator(DOCUMENT_EXTENSIONS),
        validate_upload_size,
    ]


@dataclass(frozen=True)
class ProtectedField:
    model: type[models.Model]
    name: str
    strips_location: bool = True


def _declared(app_configs=None):
    """(model, field) for every protected field of the apps' (all installed) models."""
    found = (
        apps.get_models()
        if app_configs is None
        else [model for config in app_configs for model in config.get_models()]
    )
    for model in found:
        for field in model._meta.concrete_fields:
            if isinstance(field, _ProtectedUpload) and field.folder:
                yield model, field


@functools.cache
def registry() -> dict[str, ProtectedField]:
    """Each protected field by the folder its files are stored in."""
    return {
        field.folder: ProtectedField(model, field.name, field.strips_location)
        for model, field in _declared()
    }


def protected_field_for(name: str) -> ProtectedField | None:
    """The field whose files live where the stored path `name` is, if any."""
    return registry().get(name.split("/", 1)[0])


@checks.register(checks.Tags.models)
def check_protected_folders(app_configs=None, **kwargs):
    """Each folder belongs to one field of a scoped model, so a stored path names one object."""
    errors, owners = [], {}
    for model, field in _declared(app_configs):
        label = f"{model._meta.label}.{field.name}"
        if field.folder in owners or field.folder == STRIPPED_FOLDER:
            errors.append(
                checks.Error(
                    f"{label} uploads into {field.folder!r}, which is "
                    f"{owners.get(field.folder, 'reserved for copies without location')}'s.",
                    id="uploads.E001",
                )
            )
        owners[field.folder] = label
        if not hasattr(model._default_manager, "for_user"):
            errors.append(
                checks.Error(
                    f"{label} is protected but {model._meta.label} has no for_user() queryset.",
                    id="uploads.E003",
                )
            )
    return errors
