"""Tasks run on a real worker through the configured broker, and the beat schedule is sound."""

import datetime
import logging

from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from campussafety.celery import app
from reminders.schedule import install_default_schedule
from schools.calendar import districts_without_terms
from schools.choices import Basis
from schools.models import ObligationCoverage, ObligationWindow, School, Term
from schools.obligation_rates import ensure_windows
from schools.tasks import check_calendar_data, materialise_windows
from tests.base import World
from tests.obligations_world import make_rule
from tests.worker import running_worker, send, wait_until


class RecordingHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class WorkerTests(TransactionTestCase):
    """TransactionTestCase: the worker's own connection must see committed data."""

    def setUp(self):
        World.build(self)

    def test_the_calendar_check_runs_on_a_real_worker(self):
        handler = RecordingHandler()
        logger = logging.getLogger("schools.tasks")
        logger.addHandler(handler)
        try:
            with running_worker():
                send(check_calendar_data, horizon_days=30)
                wait_until(lambda: any("No term" in m for m in handler.messages))
        finally:
            logger.removeHandler(handler)
        [message] = [m for m in handler.messages if "No term" in m]
        # No terms exist: every district is reported.
        for district in ("滨城区", "沾化区", "东营区"):
            self.assertIn(district, message)


class CalendarCheckTests(TransactionTestCase):
    def setUp(self):
        World.build(self)

    def test_districts_covered_by_their_own_or_their_citys_terms_are_not_reported(self):
        today = datetime.date(2026, 11, 22)
        Term.objects.create(
            city=self.city_a,
            name="秋季学期",
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 1, 22),
        )
        self.assertEqual([d.name for d in districts_without_terms(today)], ["东营区"])
        Term.objects.create(
            district=self.d3,
            name="春季学期",
            start_date=datetime.date(2027, 1, 10),
            end_date=datetime.date(2027, 7, 1),
        )
        self.assertEqual(list(districts_without_terms(today, horizon_days=60)), [])

    def test_a_term_after_the_horizon_does_not_count(self):
        Term.objects.create(
            district=self.d1,
            name="下学年",
            start_date=datetime.date(2027, 9, 1),
            end_date=datetime.date(2028, 1, 20),
        )
        names = {d.name for d in districts_without_terms(datetime.date(2026, 11, 22))}
        self.assertIn("滨城区", names)


class BeatScheduleTests(TransactionTestCase):
    """Beat's schedule is in the database, installed after migrate."""

    def test_every_scheduled_task_is_installed_and_registered(self):
        from django_celery_beat.models import PeriodicTask

        from reminders.registry import KINDS
        from reminders.schedule import install_default_schedule

        install_default_schedule()
        app.loader.import_default_modules()
        names = set(PeriodicTask.objects.values_list("name", flat=True))
        for kind in KINDS.values():
            if kind.crontab or kind.every_minutes:
                self.assertIn(f"reminders: {kind.name}", names)
        for task in PeriodicTask.objects.all():
            with self.subTest(task=task.name):
                self.assertIn(task.task, app.tasks)
        self.assertIn("calendar: check data", names)

    def test_an_admins_change_survives_the_next_migrate(self):
        from django_celery_beat.models import PeriodicTask

        from reminders.schedule import install_default_schedule

        install_default_schedule()
        PeriodicTask.objects.filter(name="reminders: roster_digest").update(enabled=False)
        install_default_schedule()
        self.assertFalse(PeriodicTask.objects.get(name="reminders: roster_digest").enabled)
        self.assertEqual(PeriodicTask.objects.filter(name="reminders: roster_digest").count(), 1)

    @override_settings(CELERY_TASK_ALWAYS_EAGER=False)
    def test_tasks_are_not_eager(self):
        self.assertFalse(app.conf.task_always_eager)
        self.assertEqual(app.conf.beat_scheduler, "django_celery_beat.schedulers:DatabaseScheduler")


class MaterialiseWindowsTests(TransactionTestCase):
    """The nightly task writes the day's windows, so the morning's sweeps only read them."""

    def setUp(self):
        World.build(self)
        install_default_schedule()

    def test_the_days_windows_are_written_on_a_real_worker_and_scheduled(self):
        today = timezone.localdate()
        make_rule("night-patrol", Basis.DAY, slots="21:00-22:00")
        self.assertFalse(ObligationCoverage.objects.exists())
        with running_worker():
            send(materialise_windows)
            wait_until(
                lambda: (
                    ObligationCoverage.objects.filter(last__gte=today).count()
                    == School.objects.count()
                ),
                timeout=60,
            )
        self.assertTrue(ObligationWindow.objects.filter(date=today).exists())
        # What a sweep does first is then one query: every school's day is written.
        with self.assertNumQueries(1):
            ensure_windows(School.objects.all(), today, today)
        written = ObligationWindow.objects.count()
        self.assertEqual(
            materialise_windows(), {"first": today.isoformat(), "last": today.isoformat()}
        )
        self.assertEqual(ObligationWindow.objects.count(), written)
        task = PeriodicTask.objects.get(name="obligations: materialise today's windows")
        self.assertEqual(task.task, "schools.tasks.materialise_windows")
        self.assertEqual((task.crontab.hour, task.crontab.minute), ("0", "5"))
