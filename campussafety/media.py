"""Serves uploaded files to the users who may see the object they belong to.

A stored path names its field by its first folder (campussafety/uploads.py);
one indexed query then finds the object among those the viewer may see, and
whether the viewer is among the school's and the bureau's staff. Anything else,
an unknown path included, is a 404: a file outside the viewer's scope behaves
exactly like a missing one.

School and bureau staff get the original, with its EXIF location: it is
evidence of where a duty was done. Everyone else (police liaisons, say) gets a
copy without the location, made on first request and kept beside the originals
under ``gps-stripped/``.

The files are streamed by Django unless ``MEDIA_SERVED_BY`` says a front proxy
serves them: then the answer only names the file (X-Accel-Redirect for nginx,
X-Sendfile for Apache), after the same checks. See README.md, "Uploads".
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from accounts.scope import BUREAU, SCHOOL_STAFF, VIEW
from campussafety.exif import UnreadablePhoto, without_location
from campussafety.uploads import STRIPPED_FOLDER, protected_field_for

# Who sees a photo as it was taken, location included.
ORIGINAL_VIEWERS = SCHOOL_STAFF | BUREAU


class ProtectedMediaView(APIView):
    """GET /media/<stored path>: the file, if its object is in the viewer's scope.

    An API view, so that API clients fetch the photo URLs of their answers with
    the same token; pages send the session cookie.
    """

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "head"]
    # Not an API endpoint: it answers files, not JSON.
    schema = None

    def get(self, request, path):
        protected = protected_field_for(path)
        if protected is None:
            raise Http404
        manager = protected.model._default_manager
        user = request.user
        # The object of this file among those the viewer sees, and whether the
        # viewer sees it as school or bureau staff (admins do too), in one query.
        found = (
            manager.for_user(user, VIEW)
            .filter(**{protected.name: path})
            .annotate(
                sees_original=Exists(
                    manager.for_user(user, VIEW, roles=ORIGINAL_VIEWERS).filter(pk=OuterRef("pk"))
                )
            )
            .values_list("sees_original", flat=True)
            .first()
        )
        if found is None:
            raise Http404
        storage = protected.model._meta.get_field(protected.name).storage
        stripped = protected.strips_location and not found
        name = _copy_without_location(storage, path) if stripped else path
        return _file_response(storage, name)


def _copy_without_location(storage, name: str) -> str:
    """The stored name of `name`'s copy without location, made now unless it is up to date."""
    copy = f"{STRIPPED_FOLDER}/{name}"
    original, target = Path(storage.path(name)), Path(storage.path(copy))
    try:
        source_time = original.stat().st_mtime
    except FileNotFoundError:
        raise Http404 from None
    try:
        if target.stat().st_mtime >= source_time:
            return copy
    except FileNotFoundError:
        pass
    try:
        data = without_location(original.read_bytes())
    except UnreadablePhoto:
        # Served to no one rather than served with whatever it holds.
        raise Http404 from None
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a concurrent request never reads half a copy.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)
    return copy


def _file_response(storage, name: str):
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    served_by = settings.MEDIA_SERVED_BY
    if served_by == "django":
        try:
            response = FileResponse(storage.open(name, "rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    else:
        if not storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        if served_by == "nginx":
            response["X-Accel-Redirect"] = quote(f"{settings.MEDIA_INTERNAL_URL}{name}")
        else:
            response["X-Sendfile"] = storage.path(name)
    # Only the viewer's own browser may keep it: another user may not see it.
    response["Cache-Control"] = "private, max-age=3600"
    response["Vary"] = "Cookie, Authorization"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
