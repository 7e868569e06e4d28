"""A large export end to end on a real worker: queued rather than built in the request,
built by the worker in the requester's scope, announced by a notification whose link only
the requester can download (campussafety/export_views.py, reminders/exports.py,
campussafety/media.py)."""

import io
import tempfile

from auditlog.models import LogEntry
from django.conf import settings
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from reminders.models import ExportFile, Notification
from tests.base import World
from tests.posts_world import make_member
from tests.worker import running_worker, task_runs, wait_until

MEMBERS = reverse("posts:members")


@override_settings(EXPORT_ASYNC_ROWS=2, MEDIA_ROOT=tempfile.mkdtemp(prefix="exports-"))
class LargeExportOnAWorkerTests(TransactionTestCase):
    def setUp(self):
        World.build(self)
        for index in range(3):
            make_member(f"成员{index}", self.s1)
        make_member("外区成员", self.s2)

    def test_queued_built_notified_and_downloaded_by_its_owner_only(self):
        self.client.force_login(self.district1)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        with running_worker(), task_runs() as runs:
            response = self.client.get(MEMBERS, {"format": "xlsx", "is_active": "true"})
            self.assertEqual(response.status_code, 302)
            self.assertNotIn("format=", response["Location"])
            self.assertIn("is_active=true", response["Location"])
            wait_until(lambda: Notification.objects.filter(kind="export-ready").exists(), 60)
            # The run is recorded once the task has returned, a moment after its notification.
            wait_until(lambda: any(run[0].endswith("build_export") for run in runs), 30)
        self.assertEqual([run[2] for run in runs if run[0].endswith("build_export")], ["SUCCESS"])
        page = self.client.get(response["Location"])
        self.assertContains(page, "being prepared")
        export = ExportFile.objects.get()
        self.assertEqual((export.user, export.rows), (self.district1, 3))
        notification = Notification.objects.get(kind="export-ready")
        self.assertEqual(notification.user, self.district1)
        link = notification.url
        self.assertEqual(link, reverse("media", args=[export.file.name]))
        download = self.client.get(link)
        self.assertEqual(download.status_code, 200)
        book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        # Title, as-of and header rows, then D1's three members: S2's is out of scope.
        self.assertEqual(sorted(row[0] for row in rows[3:]), ["成员0", "成员1", "成员2"])
        entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
        self.assertEqual((entry.actor, entry.changes["rows"][1]), (self.district1, "3"))
        # Anyone else, the city's staff included, gets a 404 for the file.
        for persona in ("city", "district2", "admin"):
            self.client.force_login(self.users[persona])
            self.assertEqual(self.client.get(link).status_code, 404, persona)
