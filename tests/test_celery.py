"""Tasks run on a real worker through the configured broker, and the beat schedule is sound."""

import datetime
import logging

from django.test import TransactionTestCase, override_settings

from campussafety.celery import app
from schools.calendar import districts_without_terms
from schools.models import Term
from schools.tasks import check_calendar_data
from tests.base import World
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
