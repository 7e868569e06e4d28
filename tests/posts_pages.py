"""What the posts page tests share: the world with this week's roster generated, and helpers."""

import datetime
import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from posts import dutylogs
from posts.models import (
    PostPeriod,
)
from posts.rosters import generate_shifts
from tests.posts_world import TODAY, PostsWorldTestCase
from tests.test_pages import PageTestCase

D = datetime.date
SATURDAY = D(2026, 11, 28)
LAST_FRIDAY = D(2026, 11, 20)
TUESDAY = D(2026, 11, 24)
WEDNESDAY = D(2026, 11, 25)
THURSDAY = D(2026, 11, 26)


def temporary_media(test):
    """MEDIA_ROOT in a folder removed after `test`, so uploads leave nothing behind."""
    media = tempfile.mkdtemp()
    test.addCleanup(shutil.rmtree, media, ignore_errors=True)
    return override_settings(MEDIA_ROOT=media)


def png():
    """A small picture for the duty log's photo, made as the test runs."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "navy").save(buffer, "PNG")
    return SimpleUploadedFile("gate.png", buffer.getvalue(), content_type="image/png")


def messages_of(response):
    """The messages a followed response showed (the page has read them already)."""
    return list(response.context["messages"])


class PostsPageTestCase(PostsWorldTestCase, PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=4))

    def log_today(self, key="s1", persona="principal1", period="morning"):
        period = self.morning(key) if period == "morning" else self.afternoon(key)
        return dutylogs.submit_log(self.users[persona], period, TODAY)

    def assert_status(self, persona, method, url, status, data=None):
        self.login(persona)
        response = getattr(self.client, method)(url, data or {})
        self.assertEqual(response.status_code, status, (persona, method, url))
        return response
