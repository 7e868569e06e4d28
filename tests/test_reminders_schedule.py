"""The reminder schedule page, the Channels page's language, and retention."""

import datetime

from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from reminders.choices import DeliveryStatus
from reminders.delivery import record
from reminders.models import Delivery, Notification, NotificationSettings
from reminders.registry import Due
from reminders.retention import purge
from reminders.schedule import install_default_schedule
from reminders.tasks import purge_old_notifications
from tests.base import LAYOUT_QUERIES, PERSONAS, World, WorldTestCase
from tests.worker import running_worker, send, wait_until

EDITORS = {"admin", "city"}


class SchedulePageTests(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        install_default_schedule()

    def login(self, persona):
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def task(self, name):
        return PeriodicTask.objects.select_related("crontab", "interval").get(name=name)

    def test_only_admins_and_city_staff_see_and_change_it(self):
        digest = self.task("reminders: roster_digest")
        urls = [reverse("reminders:schedule"), reverse("reminders:schedule-edit", args=[digest.pk])]
        for url in urls:
            response = self.client.get(url)
            self.assertRedirects(
                response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
            )
        for persona in PERSONAS:
            self.login(persona)
            for url in urls:
                with self.subTest(persona=persona, url=url):
                    status = self.client.get(url).status_code
                    self.assertEqual(status, 200 if persona in EDITORS else 403)
            with self.subTest(persona=persona, write=True):
                response = self.client.post(urls[1], {"time": "05:00", "enabled": "on"})
                self.assertEqual(response.status_code, 302 if persona in EDITORS else 403)
        # Only the editors' posts changed it.
        self.assertEqual(self.task("reminders: roster_digest").crontab.hour, "5")

    def test_the_page_names_each_reminder_its_time_and_recipients(self):
        self.login("city")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("reminders:schedule"), HTTP_ACCEPT_LANGUAGE="en")
        # 1. session, 2. user, 3. the user's roles, 4. the scheduled tasks with
        # their times; plus the layout's.
        self.assertEqual(len(queries), 4 + LAYOUT_QUERIES, [q["sql"] for q in queries])
        self.assertContains(response, "Today&#x27;s protection post roster")
        self.assertContains(response, "06:30")
        self.assertContains(response, "every 10 minutes")
        self.assertContains(response, "The district&#x27;s education bureau staff.")
        self.assertContains(response, "Delete old notifications")
        response = self.client.get(reverse("reminders:schedule"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(response, "提醒时间表")

    def test_changing_a_time_an_interval_and_turning_one_off(self):
        self.login("city")
        digest = self.task("reminders: roster_digest")
        missing = self.task("reminders: missing_log")
        response = self.client.post(
            reverse("reminders:schedule-edit", args=[digest.pk]), {"time": "06:45"}
        )
        self.assertRedirects(response, reverse("reminders:schedule"))
        digest = self.task("reminders: roster_digest")
        self.assertEqual((digest.crontab.hour, digest.crontab.minute), ("6", "45"))
        self.assertFalse(digest.enabled)
        # Another task sharing the old 06:30 row keeps it.
        self.client.post(
            reverse("reminders:schedule-edit", args=[missing.pk]),
            {"every_minutes": "15", "enabled": "on"},
        )
        missing = self.task("reminders: missing_log")
        self.assertEqual((missing.interval.every, missing.interval.period), (15, "minutes"))
        self.assertTrue(missing.enabled)
        # A changed row survives the next migrate.
        install_default_schedule()
        self.assertEqual(self.task("reminders: roster_digest").crontab.minute, "45")

    def test_bad_input_is_a_form_error_and_nothing_is_saved(self):
        self.login("admin")
        digest = self.task("reminders: roster_digest")
        missing = self.task("reminders: missing_log")
        cases = [
            (digest, {"time": "25:00", "enabled": "on"}, "time"),
            (digest, {"enabled": "on"}, "time"),
            (missing, {"every_minutes": "0", "enabled": "on"}, "every_minutes"),
            (missing, {"every_minutes": "ten", "enabled": "on"}, "every_minutes"),
        ]
        for task, data, field in cases:
            with self.subTest(data=data):
                response = self.client.post(
                    reverse("reminders:schedule-edit", args=[task.pk]), data
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertEqual(self.task("reminders: roster_digest").crontab.minute, "30")
        self.assertEqual(self.task("reminders: missing_log").interval.every, 10)

    def test_a_task_not_on_the_schedule_is_404(self):
        other = PeriodicTask.objects.create(
            name="something else",
            task="reminders.tasks.flush_deliveries",
            interval=self.task("reminders: missing_log").interval,
        )
        self.login("admin")
        url = reverse("reminders:schedule-edit", args=[other.pk])
        self.assertEqual(self.client.get(url).status_code, 404)


class LanguageSettingTests(WorldTestCase):
    def test_the_language_is_chosen_on_the_channels_page(self):
        self.client.force_login(self.users["principal1"])
        response = self.client.post(
            reverse("reminders:settings"),
            {"quiet_start": "22:00", "quiet_end": "07:00", "language": "en"},
        )
        self.assertEqual(response.status_code, 302)
        saved = NotificationSettings.objects.get(user=self.users["principal1"])
        self.assertEqual(saved.message_language, "en")
        response = self.client.post(
            reverse("reminders:settings"),
            {"quiet_start": "22:00", "quiet_end": "07:00", "language": "fr"},
        )
        self.assertIn("language", response.context["form"].errors)


def make_world_of_old_notifications(test, now):
    """Digests for district1 and district2 recorded 200 days ago, and one recent."""
    old = now - datetime.timedelta(days=200)
    users = [test.users["district1"], test.users["district2"]]
    NotificationSettings.objects.create(user=users[0], sms_enabled=True, phone="13900000001")
    for hour in range(3):
        record(
            [
                Due("missed_summary", f"district:{hour}", "2026-05-01", user_id=user.pk)
                for user in users
            ],
            old + datetime.timedelta(hours=hour),
        )
    Notification.objects.update(created=old)
    Delivery.objects.update(created=old)
    record([Due("missed_summary", "district:9", "2026-11-23", user_id=users[0].pk)], now)
    # district1 read their first old digest; of the others' old SMS one failed
    # and one is still pending (held, say, by a gateway outage).
    first = Notification.objects.filter(user=users[0]).order_by("pk").first()
    first.mark_read()
    unread_sms = Delivery.objects.filter(channel="sms", notification__user=users[0]).exclude(
        notification=first
    )
    Delivery.objects.filter(pk=unread_sms.order_by("pk").first().pk).update(
        status=DeliveryStatus.FAILED
    )


class RetentionTests(WorldTestCase):
    def test_read_notifications_and_finished_deliveries_past_the_age_are_deleted(self):
        now = timezone.now()
        make_world_of_old_notifications(self, now)
        unread_before = Notification.objects.unread().count()
        purged = purge(now, days=180, batch=2)
        # The read digest went; every unread one stays, in the inbox.
        self.assertEqual(Notification.objects.unread().count(), unread_before)
        self.assertFalse(Notification.objects.filter(read_at__isnull=False).exists())
        # Old finished deliveries went; the old pending SMS and the recent ones stay.
        remaining = set(Delivery.objects.values_list("status", "created__date"))
        self.assertTrue(
            all(status == "pending" or day == timezone.localdate(now) for status, day in remaining),
            remaining,
        )
        self.assertTrue(Delivery.objects.filter(status="pending", channel="sms").exists())
        self.assertGreater(purged, 2)  # more than one batch
        self.assertEqual(purge(now, days=180, batch=2), 0)


class RetentionOnAWorkerTests(TransactionTestCase):
    def setUp(self):
        World.build(self)
        install_default_schedule()

    def test_the_retention_task_runs_on_a_worker_and_is_scheduled(self):
        now = timezone.now()
        make_world_of_old_notifications(self, now)
        old_finished = Delivery.objects.filter(
            created__lt=now - datetime.timedelta(days=180), status__in=["sent", "failed"]
        )
        self.assertTrue(old_finished.exists())
        with running_worker():
            send(purge_old_notifications)
            wait_until(lambda: not old_finished.exists())
        self.assertTrue(
            PeriodicTask.objects.filter(
                name="reminders: retention", task="reminders.tasks.purge_old_notifications"
            ).exists()
        )
