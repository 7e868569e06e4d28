"""Daily snapshots: idempotent, set-based, run by a real worker and scheduled after midnight."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.test import TransactionTestCase
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from dashboards.models import IndicatorSnapshot, SnapshotDay
from dashboards.snapshots import take
from dashboards.tasks import snapshot_yesterday
from equipment.models import AlarmTest
from reminders.schedule import install_default_schedule
from schools.models import School, Term
from tests.base import World
from tests.dashboards_world import build_evidence
from tests.posts_world import TODAY, PostsWorldTestCase, build_posts
from tests.worker import running_worker, send, wait_until

AS_OF = TODAY - datetime.timedelta(days=1)


def table(day=AS_OF):
    return sorted(
        IndicatorSnapshot.objects.filter(date=day).values_list(
            "code", "school_id", "numerator", "denominator"
        )
    )


class SnapshotTests(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_evidence(cls)

    def test_taking_a_day_again_gives_the_same_table(self):
        written = take(AS_OF)
        first = table()
        self.assertEqual(len(first), written)
        self.assertEqual(take(AS_OF), written)
        self.assertEqual(table(), first)
        self.assertEqual(SnapshotDay.objects.get(date=AS_OF).rows, written)

    def test_taking_a_day_again_follows_the_evidence(self):
        take(AS_OF)
        alarm = ("equipment.alarm_video", self.s1.pk)
        self.assertIn((*alarm, 1, 1), table())
        AlarmTest.objects.filter(school=self.s1).delete()
        take(AS_OF)
        self.assertIn((*alarm, 0, 1), table())
        # Without a term there are no school days: the peaks have no data, and their rows go.
        Term.objects.all().delete()
        take(AS_OF)
        codes = {code for code, *_ in table()}
        self.assertNotIn("posts.peaks_covered", codes)
        self.assertIn("posts.guards", codes)

    def test_a_backfill_takes_each_day_of_a_range(self):
        call_command(
            "snapshot_indicators", "--start", "2026-11-20", "--end", "2026-11-22", stdout=StringIO()
        )
        self.assertEqual(
            sorted(SnapshotDay.objects.values_list("date", flat=True)),
            [datetime.date(2026, 11, day) for day in (20, 21, 22)],
        )

    def test_one_school_per_indicator_and_day(self):
        take(AS_OF, schools=School.objects.filter(pk=self.s1.pk))
        take(AS_OF)
        rows = table()
        self.assertEqual(len(rows), len({(code, school) for code, school, *_ in rows}))


class SnapshotWorkerTests(TransactionTestCase):
    """TransactionTestCase: the worker's own connection must see committed data."""

    def setUp(self):
        World.build(self)
        build_posts(self)
        build_evidence(self)
        install_default_schedule()

    def test_the_nightly_snapshot_runs_on_a_real_worker_and_is_scheduled(self):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        with running_worker():
            send(snapshot_yesterday)
            wait_until(lambda: SnapshotDay.objects.filter(date=yesterday).exists(), timeout=60)
        rows = table(yesterday)
        self.assertTrue(rows)
        self.assertEqual(len(rows), SnapshotDay.objects.get(date=yesterday).rows)
        with running_worker():
            send(snapshot_yesterday)
            taken = SnapshotDay.objects.get(date=yesterday).taken_at
            wait_until(lambda: SnapshotDay.objects.get(date=yesterday).taken_at > taken, timeout=60)
        self.assertEqual(table(yesterday), rows)
        task = PeriodicTask.objects.get(name="dashboards: snapshot indicators")
        self.assertEqual(task.task, "dashboards.tasks.snapshot_yesterday")
        self.assertEqual((task.crontab.hour, task.crontab.minute), ("0", "20"))
