"""One digest per recipient per sweep window, worded in the recipient's language.

Messages are checked where they leave the platform: Django's mail outbox (the
SMTP boundary) and the recording SMS gateway.
"""

import datetime

from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reminders.choices import DeliveryStatus
from reminders.delivery import deliver, record
from reminders.models import Delivery, Notification, NotificationItem, NotificationSettings
from reminders.registry import Due
from tests import reminder_support
from tests.base import WorldTestCase
from tests.posts_world import NOW


def at(hour, minute=0, days=0):
    return NOW.replace(hour=hour, minute=minute) + datetime.timedelta(days=days)


def missing(user, *periods, due="2026-11-23"):
    """What the missing-log sweep finds for `user`: one item per post period."""
    return [
        Due(
            "missing_log",
            subject=f"postperiod:{n}",
            due=due,
            user_id=user.pk,
            params={
                "date": due,
                "school": f"学校{n}",
                "post": "南门护学岗",
                "period": "morning",
                "end": "07:50",
            },
        )
        for n in periods
    ]


@override_settings(SITE_URL="http://testserver")
class DigestTests(WorldTestCase):
    def digests(self, persona):
        return Notification.objects.filter(user=self.users[persona]).order_by("pk")

    def test_one_sweep_gives_each_recipient_one_digest_listing_its_items(self):
        district1, district2 = self.users["district1"], self.users["district2"]
        record(missing(district1, *range(226)) + missing(district2, 1, 2), at(9, 21))
        [digest] = self.digests("district1")
        self.assertEqual(digest.items.count(), 226)
        with translation.override("en"):
            self.assertEqual(digest.title, "Duty log missing: 226 items")
        body = digest.body.splitlines()
        self.assertEqual(len(body), 2 * 226)  # each item's line and its link
        self.assertIn("学校0", body[0])
        self.assertEqual(body[1].strip(), "http://testserver/posts/today/")
        self.assertEqual(self.digests("district2").get().items.count(), 2)
        # One inbox delivery per digest, not per item.
        self.assertEqual(Delivery.objects.count(), 2)

    def test_a_later_sweep_sends_a_new_digest_of_the_new_items_only(self):
        principal1 = self.users["principal1"]
        record(missing(principal1, 1, 2), at(8, 21))
        # Ten minutes later: the same two are still missing and a third is new.
        record(missing(principal1, 1, 2, 3), at(8, 31))
        # And again: nothing new, so no digest at all, while another recipient of the
        # same tick gets theirs (one new digest left empty, one filled).
        principal2 = self.users["principal2"]
        record(missing(principal1, 1, 2, 3) + missing(principal2, 1), at(8, 41))
        self.assertEqual(self.digests("principal2").get().items.count(), 1)
        first, second = self.digests("principal1")
        self.assertEqual(
            list(first.items.values_list("subject", flat=True)),
            [
                "postperiod:1",
                "postperiod:2",
            ],
        )
        self.assertEqual(list(second.items.values_list("subject", flat=True)), ["postperiod:3"])
        # A new due key (the next school day) is told afresh.
        record(missing(principal1, 1, due="2026-11-24"), at(8, 21, days=1))
        self.assertEqual(self.digests("principal1").count(), 3)

    def test_ticks_within_one_window_fill_one_digest(self):
        principal1 = self.users["principal1"]
        NotificationSettings.objects.create(user=principal1, sms_enabled=True, phone="13900000000")
        self.assertEqual(len(record(missing(principal1, 1), at(8, 21))), 1)
        # The repeated tick queues nothing: the first queued the digest's SMS.
        self.assertEqual(record(missing(principal1, 1), at(8, 21)), [])
        record(missing(principal1, 1, 2), at(8, 29))
        [digest] = self.digests("principal1")
        self.assertEqual(digest.items.count(), 2)
        self.assertEqual(digest.deliveries.count(), 2)  # inbox and SMS, once

    def test_the_query_count_does_not_grow_with_the_items(self):
        users = [self.users[p] for p in ("district1", "district2", "principal1")]
        NotificationSettings.objects.create(user=users[0], sms_enabled=True, phone="13900000000")
        counts, deliveries = [], []
        for size, hour in ((2, 8), (600, 9)):
            dues = [due for user in users for due in missing(user, *range(size), due=str(hour))]
            with CaptureQueriesContext(connection) as queries:
                deliveries.append(len(record(dues, at(hour))))
            counts.append(len(queries))
        # SAVEPOINT; 1. insert the digests, returning the new ones; 2. insert the
        # items, returning the digests they filled (or on PostgreSQL the new ones
        # left empty, deleted by a third statement when there are any: none here);
        # 3. insert the deliveries, returning them; RELEASE SAVEPOINT.
        self.assertEqual(counts, [5, 5], [q["sql"][:90] for q in queries])
        # district1's SMS, each time: the inbox entries are delivered by existing.
        self.assertEqual(deliveries, [1, 1])
        self.assertEqual(NotificationItem.objects.count(), 3 * (2 + 600))


@override_settings(
    SMS_GATEWAY="tests.reminder_support.RecordingSmsGateway",
    LANGUAGE_CODE="zh-hans",
    SITE_URL="http://testserver/",
)
class MessageLanguageTests(WorldTestCase):
    def setUp(self):
        reminder_support.SENT_SMS.clear()
        for persona, language in (("principal1", "en"), ("principal2", "")):
            user = self.users[persona]
            user.email = f"{persona}@example.edu.cn"
            user.save()
            NotificationSettings.objects.create(
                user=user,
                email_enabled=True,
                sms_enabled=True,
                phone="13900000000",
                language=language,
                quiet_start=datetime.time(0, 0),
                quiet_end=datetime.time(0, 0),
            )

    def send_all(self):
        for delivery_id in Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        ):
            self.assertEqual(deliver(delivery_id), "sent")

    def test_email_and_sms_are_worded_in_the_recipients_language(self):
        record(
            missing(self.users["principal1"], 1, 2, 3) + missing(self.users["principal2"], 1, 2, 3),
            at(8, 21),
        )
        self.send_all()
        subjects = {message.to[0]: message.subject for message in mail.outbox}
        self.assertEqual(subjects["principal1@example.edu.cn"], "Duty log missing: 3 items")
        self.assertEqual(subjects["principal2@example.edu.cn"], "执勤记录未填报：3 条")
        english = next(m for m in mail.outbox if m.to[0].startswith("principal1"))
        self.assertIn("学校2, 南门护学岗, Morning arrival: no duty log", english.body)
        self.assertIn("http://testserver/posts/today/", english.body)
        # SMS: a digest of several is its count and a link to the inbox.
        self.assertEqual(
            sorted(text for _phone, text in reminder_support.SENT_SMS),
            [
                "Duty log missing: 3 items http://testserver/inbox/",
                "执勤记录未填报：3 条 http://testserver/inbox/",
            ],
        )

    def test_a_digest_of_one_item_is_sent_in_full(self):
        record(missing(self.users["principal1"], 7), at(8, 21))
        self.send_all()
        [(_phone, text)] = reminder_support.SENT_SMS
        self.assertEqual(
            text,
            "Duty log missing\n学校7, 南门护学岗, Morning arrival: no duty log since the period "
            "ended at 07:50.\nhttp://testserver/posts/today/",
        )


class ItemOnceTests(WorldTestCase):
    def test_the_item_not_the_digest_carries_the_once_key(self):
        record(missing(self.users["principal1"], 1), at(8, 21))
        self.assertEqual(
            list(NotificationItem.objects.values_list("user", "kind", "subject", "due")),
            [(self.users["principal1"].pk, "missing_log", "postperiod:1", "2026-11-23")],
        )


class ItemURLTests(WorldTestCase):
    def test_each_item_carries_its_url_worked_out_once_a_value_of_what_it_reads(self):
        from inspections.reminders import MissedWindow

        kind = MissedWindow()
        dues = [
            Due(
                kind.name,
                subject=f"s{n}",
                due="2026-11-23",
                user_id=self.users["district1"].pk,
                params={"school_id": school.pk, "n": n},
            )
            for n, school in enumerate([self.s1, self.s2, self.s1, self.s2, self.s1])
        ] + [
            Due(
                kind.name, subject="all", due="2026-11-23", user_id=self.users["city"].pk, params={}
            )
        ]
        calls = []
        original = kind.url

        def counted(params):
            calls.append(params.get("school_id"))
            return original(params)

        kind.url = counted
        urls = kind.urls(dues)
        # One reverse() for each school and one for the bureau's page, not one an item.
        self.assertEqual(sorted(calls, key=str), sorted([self.s1.pk, self.s2.pk, None], key=str))
        self.assertEqual(urls, [original(due.params) for due in dues])
        record(dues, at(7))
        stored = dict(NotificationItem.objects.values_list("subject", "url"))
        self.assertEqual(stored["s0"], original({"school_id": self.s1.pk}))
        self.assertEqual(stored["all"], original({}))
