"""The school file (一校一档): one school's facts, and the sections the apps declare, as a
page, printable, and as a PDF.

Scope: the school comes through School.objects.for_user (a principal reaches their
own school, district and city staff theirs); any other is a 404 like a missing one.

The schools app names no domain app: every app adds its section (posts and members,
open hazards, drills, kit shortfalls) as an ObjectPanel for "schools.school" in its own
panels.py, returning a FileSection (campussafety/panels.py), so one template draws them
all; the due checks come from schools/obligations.py, which this app owns.

PDF: WeasyPrint renders the same template as the printable page (one layout for
screen, print and file) and shapes Chinese text through Pango/HarfBuzz; reportlab
would need the page redrawn in its own drawing API and breaks no CJK lines. The
fonts are Debian's fonts-noto-cjk (Dockerfile, .ci/run); without them WeasyPrint
falls back to whatever fonts the system has, and when WeasyPrint or its Pango
library is missing altogether the view answers the printable page instead of failing.
"""

import datetime
import logging
from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from campussafety.client_ip import client_ip
from campussafety.exports import Table, log_export
from campussafety.panels import object_panels
from schools.choices import WindowStatus
from schools.models import School
from schools.obligations import due_windows

logger = logging.getLogger(__name__)

# The due checks listed: the windows of the coming week not yet done.
DUE_HORIZON = datetime.timedelta(days=7)
NOT_DONE = (WindowStatus.OPEN, WindowStatus.UPCOMING, WindowStatus.PARTIAL, WindowStatus.MISSED)
DUE_LISTED = 30


def due_checks(school, today):
    """The school's checks due from today to a week on, not done yet (schools/obligations.py)."""
    windows = due_windows([school.pk], today, today + DUE_HORIZON)
    due = [w for w in windows if w.status in NOT_DONE]
    due.sort(key=lambda w: (w.due, w.rule_id))
    return [
        [w.rule.name if w.rule else "", timezone.localtime(w.due), WindowStatus(w.status).label]
        for w in due[:DUE_LISTED]
    ]


def file_context(user, school) -> dict:
    today = timezone.localdate()
    return {
        "school": school,
        "today": today,
        "facts": [
            (_("Code"), school.code),
            (_("Type"), school.get_school_type_display()),
            (_("District"), school.district.name),
            (_("Police station"), school.police_station.name if school.police_station else ""),
            (_("Address"), school.address),
            (_("Pupils enrolled"), school.enrolment),
            (_("Staff"), school.staff_count),
            (_("Boarding school"), _("yes") if school.is_boarding else _("no")),
            (_("Campus police room"), _("yes") if school.has_police_room else _("no")),
            (_("Protection booth"), _("yes") if school.has_protection_booth else _("no")),
            (_("Legal vice-president"), school.legal_vice_president),
        ],
        "due": due_checks(school, today),
        "sections": object_panels(user, school),
    }


def school_of(request, pk):
    return get_object_or_404(
        School.objects.for_user(request.user).select_related("district", "police_station"), pk=pk
    )


def log_file(request, school, fmt):
    table = Table(
        name=f"school-file-{school.code}",
        title=_("School file · %(school)s") % {"school": school.name},
        columns=[],
        rows=[],
        model=School,
        filters=f"school={school.pk}",
    )
    log_export(request.user, table, fmt, 1, client_ip(request))


class SchoolFileView(LoginRequiredMixin, View):
    """The school file as a page (printable: the print stylesheet hides the site's chrome)."""

    def get(self, request, pk):
        school = school_of(request, pk)
        return render(request, "schools/school_file.html", file_context(request.user, school))


def pdf_of(html: str, base_url: str) -> bytes | None:
    """The PDF of `html`, or None when WeasyPrint (or the Pango it needs) is not installed."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        logger.warning("WeasyPrint is not available: the school file is served as HTML")
        return None
    return HTML(string=html, base_url=base_url).write_pdf()


class SchoolFilePDFView(LoginRequiredMixin, View):
    def get(self, request, pk):
        school = school_of(request, pk)
        context = file_context(request.user, school)
        html = render_to_string("schools/school_file_pdf.html", context, request=request)
        pdf = pdf_of(html, request.build_absolute_uri("/"))
        log_file(request, school, "pdf")
        if pdf is None:
            # The printable page: the PDF's own HTML carries the inline style only
            # WeasyPrint reads, which the site's Content-Security-Policy refuses.
            return render(request, "schools/school_file.html", context)
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"{school.name}-{context['today']:%Y%m%d}.pdf"
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
        return response
