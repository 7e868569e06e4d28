"""The inbox, notification settings and the notifications API: a user's own only."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reminders.delivery import record
from reminders.models import Notification, NotificationSettings
from reminders.registry import Due
from tests.base import PERSONAS, WorldTestCase
from tests.posts_world import NOW

PARAMS = {"date": "2026-11-23", "count": 2, "missed": []}


class NotificationTestCase(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Three sweeps, an hour apart: three digests of one item for each.
        for n in range(3):
            record(
                [
                    Due(
                        "missed_summary",
                        subject=f"district:{n}",
                        due="2026-11-23",
                        user_id=cls.users[persona].pk,
                        params=PARAMS,
                    )
                    for persona in ("district1", "district2")
                ],
                NOW + datetime.timedelta(hours=n),
            )

    def mine(self, persona):
        return Notification.objects.filter(user=self.users[persona])


class NotificationAPITests(NotificationTestCase):
    url = "/api/v1/notifications/"

    def test_everyone_sees_only_their_own(self):
        for persona in PERSONAS:
            with self.subTest(persona):
                response = self.api(persona).get(self.url)
                self.assertEqual(response.status_code, 200)
                ids = {row["id"] for row in response.json()["results"]}
                self.assertEqual(ids, set(self.mine(persona).values_list("pk", flat=True)))

    def test_another_users_notification_is_404_even_for_admin(self):
        theirs = self.mine("district2").first()
        for persona in ("district1", "admin", "city"):
            with self.subTest(persona):
                client = self.api(persona)
                self.assertEqual(client.get(f"{self.url}{theirs.pk}/").status_code, 404)
                self.assertEqual(client.post(f"{self.url}{theirs.pk}/read/").status_code, 404)
        theirs.refresh_from_db()
        self.assertIsNone(theirs.read_at)

    def test_marking_read(self):
        client = self.api("district1")
        first = self.mine("district1").first()
        data = client.post(f"{self.url}{first.pk}/read/").json()
        self.assertTrue(data["is_read"])
        self.assertIn("2", data["title"])
        unread = client.get(self.url, {"unread": "true"}).json()["count"]
        self.assertEqual(unread, 2)
        self.assertEqual(client.post(f"{self.url}read-all/").json(), {"marked": 2})
        self.assertEqual(self.mine("district2").unread().count(), 3)

    def test_anonymous_is_refused(self):
        self.assertIn(self.api().get(self.url).status_code, (401, 403))

    def test_writes_are_not_offered(self):
        first = self.mine("district1").first()
        client = self.api("district1")
        self.assertEqual(client.delete(f"{self.url}{first.pk}/").status_code, 405)
        self.assertEqual(client.post(self.url, {}).status_code, 405)

    def test_query_count(self):
        client = self.api("district1")
        with CaptureQueriesContext(connection) as queries:
            client.get(self.url)
        # 1. count, 2. the page of notifications, 3. their items (titles are
        # worded from the items' stored details, without queries).
        self.assertEqual(len(queries), 3, [q["sql"] for q in queries])


class InboxPageTests(NotificationTestCase):
    def test_the_inbox_lists_ones_own(self):
        self.client.force_login(self.users["district1"])
        response = self.client.get(reverse("reminders:inbox"))
        self.assertEqual(len(response.context["object_list"]), 3)
        self.client.force_login(self.users["principal1"])
        response = self.client.get(reverse("reminders:inbox"))
        self.assertEqual(len(response.context["object_list"]), 0)

    def test_anonymous_goes_to_login(self):
        response = self.client.get(reverse("reminders:inbox"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_marking_read_follows_the_link_but_only_within_the_site(self):
        self.client.force_login(self.users["district1"])
        first = self.mine("district1").first()
        response = self.client.post(
            reverse("reminders:read", args=[first.pk]), {"next": reverse("posts:missed")}
        )
        self.assertRedirects(response, reverse("posts:missed"), fetch_redirect_response=False)
        first.refresh_from_db()
        self.assertIsNotNone(first.read_at)
        second = self.mine("district1").unread().first()
        response = self.client.post(
            reverse("reminders:read", args=[second.pk]), {"next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("reminders:inbox"), fetch_redirect_response=False)

    def test_anothers_notification_is_404(self):
        self.client.force_login(self.users["district1"])
        theirs = self.mine("district2").first()
        response = self.client.post(reverse("reminders:read", args=[theirs.pk]))
        self.assertEqual(response.status_code, 404)

    def test_every_page_shows_the_unread_count(self):
        self.client.force_login(self.users["district1"])
        response = self.client.get(reverse("schools:list"))
        self.assertContains(response, '<span class="badge text-bg-warning">3</span>', html=True)
        self.client.post(reverse("reminders:read-all"))
        response = self.client.get(reverse("schools:list"))
        self.assertNotContains(response, "text-bg-warning")

    def test_mark_all(self):
        self.client.force_login(self.users["district1"])
        self.client.post(reverse("reminders:read-all"))
        self.assertEqual(self.mine("district1").unread().count(), 0)
        self.assertEqual(self.mine("district2").unread().count(), 3)


class SettingsPageTests(WorldTestCase):
    url = "/inbox/settings/"

    def test_choosing_channels(self):
        self.client.force_login(self.users["principal1"])
        self.assertEqual(self.client.get(self.url).status_code, 200)
        response = self.client.post(
            self.url,
            {
                "email_enabled": "on",
                "email": "principal1@example.edu.cn",
                "sms_enabled": "on",
                "phone": "13912345678",
                "quiet_start": "22:00",
                "quiet_end": "07:00",
                "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            },
        )
        self.assertEqual(response.status_code, 302)
        settings = NotificationSettings.objects.get(user=self.users["principal1"])
        self.assertEqual(settings.channels(), ["in_app", "email", "sms", "webhook"])

    def test_bad_input_is_a_form_error_and_nothing_is_saved(self):
        self.client.force_login(self.users["principal1"])
        cases = [
            ({"sms_enabled": "on", "phone": "123"}, "phone"),
            ({"sms_enabled": "on", "phone": ""}, "phone"),
            ({"email_enabled": "on", "email": ""}, "email"),
            ({"webhook_url": "ftp://robot"}, "webhook_url"),
            ({"quiet_start": "25:00"}, "quiet_start"),
        ]
        for data, field in cases:
            with self.subTest(field=field, data=data):
                response = self.client.post(
                    self.url, {"quiet_start": "22:00", "quiet_end": "07:00", **data}
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(NotificationSettings.objects.exists())
