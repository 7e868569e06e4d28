"""Delivery on a real Celery worker through the configured broker (Redis in CI).

Not eager mode: sweeps and deliveries are sent through the broker and run by
worker threads with their own database connections.
"""

import datetime
import time
from collections import Counter

import time_machine
from django.core import mail
from django.test import TransactionTestCase, override_settings

from posts.models import PostPeriod
from posts.rosters import generate_shifts
from reminders.choices import DeliveryStatus
from reminders.delivery import deliver, due_for_sending, record
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.registry import KINDS, Due
from reminders.tasks import run_sweep
from schools.models import District
from tests import reminder_support
from tests.base import World
from tests.posts_world import NOW, TODAY, build_posts
from tests.reminder_support import WebhookServer
from tests.worker import running_worker, send, task_runs, wait_until

# When each sweep has something to say on the simulated Monday.
# Every posts kind with a schedule; the others are recorded as things happen (posts/notices.py).
SWEEP_TIMES = {
    "roster_digest": (6, 30),
    "missing_log": (8, 30),
    "missing_log_escalation": (9, 30),
    "missed_summary": (20, 0),
    "roster_gaps": (15, 0),
    "certificate_expiry": (8, 0),
    "pending_verification": (8, 0),
}


def at(hour, minute, day=TODAY):
    return NOW.replace(year=day.year, month=day.month, day=day.day, hour=hour, minute=minute)


def district_runs(runs):
    return [run for run in runs if run[0] == "reminders.tasks.sweep_district"]


def settled():
    return not Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).exists()


@override_settings(
    SMS_GATEWAY="tests.reminder_support.RecordingSmsGateway",
    REMINDER_RETRY_COUNTDOWNS=(1, 1, 1),
    # The robot is a local server on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE_IPS=True,
)
class DeliveryOnAWorkerTests(TransactionTestCase):
    def setUp(self):
        reminder_support.SENT_SMS.clear()
        # The world is built "on" the simulated Monday; the worker then runs in
        # real time, with each sweep told the moment it runs for.
        with time_machine.travel(NOW, tick=False):
            World.build(self)
            build_posts(self)
            generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=7))
        # The pending volunteer has waited long enough to be chased.
        self.members["s1"]["volunteer"].__class__.objects.filter(
            pk=self.members["s1"]["volunteer"].pk
        ).update(updated=NOW - datetime.timedelta(days=5))
        self.server = WebhookServer()
        self.server.__enter__()
        self.addCleanup(self.server.__exit__)
        for persona in ("principal1", "district1", "police1"):
            user = self.users[persona]
            user.email = f"{persona}@example.edu.cn"
            user.save()
            NotificationSettings.objects.create(
                user=user,
                email_enabled=True,
                sms_enabled=True,
                phone="13900000000",
                webhook_url=self.server.url,
                # SMS around the clock: quiet hours are tested on their own.
                quiet_start=datetime.time(0, 0),
                quiet_end=datetime.time(0, 0),
            )

    def fire_every_sweep(self, concurrently):
        # The posts world's sweeps (inspections' run on a worker in test_inspections_reminders.py).
        scheduled = {
            name
            for name, kind in KINDS.items()
            if (kind.crontab or kind.every_minutes) and type(kind).__module__ == "posts.reminders"
        }
        self.assertEqual(set(SWEEP_TIMES), scheduled)
        for kind in SWEEP_TIMES:
            moment = at(*SWEEP_TIMES[kind]).isoformat()
            send(run_sweep, kind, moment)
            if concurrently:
                # Two workers take these two at the same moment.
                send(run_sweep, kind, moment)

    def test_every_sweep_twice_and_twice_at_once_gives_exactly_one_of_everything(self):
        with running_worker(concurrency=2), task_runs() as runs:
            self.fire_every_sweep(concurrently=False)
            self.fire_every_sweep(concurrently=False)
            self.fire_every_sweep(concurrently=True)
            wait_until(
                lambda: Notification.objects.filter(kind="pending_verification").exists(), 60
            )
            # A kind that fans out is swept as one task per district, four times.
            parts = 4 * District.objects.count() * sum(KINDS[k].fans_out for k in SWEEP_TIMES)
            wait_until(lambda: len(district_runs(runs)) == parts, 90)
            wait_until(settled, 60)
            # Let any stray duplicate message arrive before counting.
            time.sleep(2)
            wait_until(settled, 30)

        # Every sweep queued ran, four times a kind, and so did every delivery it queued.
        sweeps = [run for run in runs if run[0] == "reminders.tasks.run_sweep"]
        self.assertEqual(Counter(run[1][0] for run in sweeps), dict.fromkeys(SWEEP_TIMES, 4))
        self.assertEqual({run[2] for run in sweeps}, {"SUCCESS"})
        self.assertEqual(len(district_runs(runs)), parts)
        self.assertEqual({run[2] for run in district_runs(runs)}, {"SUCCESS"})
        queued = sum(run[3] for run in sweeps + district_runs(runs))
        deliveries = [run for run in runs if run[0] == "reminders.tasks.deliver"]
        self.assertEqual(len(deliveries), queued)
        self.assertEqual({run[2] for run in deliveries}, {"SUCCESS"})
        # (Two sweeps at once may both queue a delivery; deliver() sends it once.)
        self.assertEqual(
            {run[1][0] for run in deliveries},
            set(Delivery.objects.exclude(channel="in_app").values_list("pk", flat=True)),
        )

        self.assertEqual(set(Notification.objects.values_list("kind", flat=True)), set(SWEEP_TIMES))
        # One digest per recipient, kind and sweep window; each item in one digest.
        digests = list(Notification.objects.values_list("user", "member", "kind", "window"))
        self.assertEqual(len(digests), len(set(digests)))
        items = list(
            NotificationItem.objects.values_list("user", "member", "kind", "subject", "due")
        )
        self.assertEqual(len(items), len(set(items)))
        self.assertFalse(Notification.objects.filter(items__isnull=True).exists())
        pairs = list(Delivery.objects.values_list("notification", "channel"))
        self.assertEqual(len(pairs), len(set(pairs)))
        self.assertFalse(Delivery.objects.exclude(status=DeliveryStatus.SENT).exists())

        # Each channel's third party received exactly one message per delivery.
        self.assertEqual(
            len(self.server.requests), Delivery.objects.filter(channel="webhook").count()
        )
        self.assertEqual(len(mail.outbox), Delivery.objects.filter(channel="email").count())
        self.assertEqual(
            len(reminder_support.SENT_SMS), Delivery.objects.filter(channel="sms").count()
        )
        principal1 = Notification.objects.filter(user=self.users["principal1"])
        for notification in principal1:
            self.assertEqual(
                set(notification.deliveries.values_list("channel", flat=True)),
                {"in_app", "email", "sms", "webhook"},
            )
        # A post member without an account gets their digest by SMS only.
        member_digest = Notification.objects.get(
            kind="roster_digest", member=self.members["s1"]["police"]
        )
        self.assertEqual(list(member_digest.deliveries.values_list("channel", flat=True)), ["sms"])
        payload = self.server.requests[0]
        self.assertEqual(payload["msgtype"], "text")
        self.assertTrue(payload["text"]["content"])

    def test_an_evening_sweep_run_three_times_at_once_sends_one_digest_of_both_periods(self):
        # 17:51: S1 logged neither its morning nor its afternoon post.
        moment = at(17, 51).isoformat()
        with running_worker(concurrency=2):
            for _ in range(3):
                send(run_sweep, "missing_log", moment)
            wait_until(lambda: Notification.objects.filter(kind="missing_log").exists(), 60)
            wait_until(settled, 60)
            time.sleep(2)
            wait_until(settled, 30)
        [digest] = Notification.objects.filter(kind="missing_log", user=self.users["principal1"])
        self.assertEqual(digest.items.count(), 2)
        # One message per channel at each third party, listing both periods.
        [email] = [m for m in mail.outbox if m.to == ["principal1@example.edu.cn"]]
        self.assertEqual(email.body.count("南门护学岗"), 2)
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual(len(reminder_support.SENT_SMS), 1)

    def record_one_webhook(self):
        user = self.users["principal1"]
        NotificationSettings.objects.filter(user=user).update(
            email_enabled=False, sms_enabled=False
        )
        return reminder_support.record_missing_log(user)

    def test_a_transient_failure_is_retried_and_then_succeeds_once(self):
        self.server.statuses = [503]
        webhook = self.record_one_webhook()
        with running_worker():
            from reminders.tasks import deliver as deliver_task

            send(deliver_task, webhook.pk)
            wait_until(lambda: Delivery.objects.get(pk=webhook.pk).status == "sent", 30)
        webhook.refresh_from_db()
        self.assertEqual(webhook.attempts, 2)
        self.assertEqual(webhook.last_error, "")
        self.assertEqual(len(self.server.requests), 2)

    def test_a_permanent_failure_is_marked_and_not_retried(self):
        self.server.statuses = [400]
        webhook = self.record_one_webhook()
        with running_worker():
            from reminders.tasks import deliver as deliver_task

            send(deliver_task, webhook.pk)
            wait_until(lambda: Delivery.objects.get(pk=webhook.pk).status == "failed", 30)
            time.sleep(3)  # longer than the retry countdown: nothing more comes
        webhook.refresh_from_db()
        self.assertEqual((webhook.attempts, webhook.last_error), (1, "HTTP 400"))
        self.assertEqual(len(self.server.requests), 1)

    def test_too_many_transient_failures_end_as_failed(self):
        self.server.statuses = [500, 500, 500, 500, 500]
        webhook = self.record_one_webhook()
        with running_worker():
            from reminders.tasks import deliver as deliver_task

            send(deliver_task, webhook.pk)
            wait_until(lambda: Delivery.objects.get(pk=webhook.pk).status == "failed", 30)
        webhook.refresh_from_db()
        # The first try and one per retry countdown (three in these settings).
        self.assertEqual(webhook.attempts, 4)
        self.assertEqual(len(self.server.requests), 4)


@override_settings(SMS_GATEWAY="tests.reminder_support.RecordingSmsGateway")
class QuietHoursTests(TransactionTestCase):
    def setUp(self):
        reminder_support.SENT_SMS.clear()
        World.build(self)
        NotificationSettings.objects.create(
            user=self.users["district1"], sms_enabled=True, phone="13900000001"
        )

    def test_an_sms_in_the_quiet_hours_waits_for_the_morning(self):
        record(
            [
                Due(
                    "missed_summary",
                    subject="district:1",
                    due="2026-11-23",
                    user_id=self.users["district1"].pk,
                    params={"date": "2026-11-23", "count": 0, "missed": []},
                )
            ]
        )
        sms = Delivery.objects.get(channel="sms")
        with time_machine.travel(at(22, 30), tick=False):
            self.assertIn("held until 07:00", deliver(sms.pk))
            self.assertEqual(due_for_sending(at(22, 35), 100), [])
        sms.refresh_from_db()
        self.assertEqual((sms.status, sms.attempts), ("pending", 0))
        self.assertEqual(reminder_support.SENT_SMS, [])
        morning = at(7, 1, TODAY + datetime.timedelta(days=1))
        self.assertEqual(due_for_sending(morning, 100), [sms.pk])
        with time_machine.travel(morning, tick=False):
            self.assertEqual(deliver(sms.pk), "sent")
            # A second, redelivered message finds nothing to do.
            self.assertIn("another worker", deliver(sms.pk))
        self.assertEqual(len(reminder_support.SENT_SMS), 1)
