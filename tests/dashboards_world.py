"""Evidence for the indicators on top of the posts world (tests/posts_world.py).

Before "today" (Monday 23 November 2026), over the ten school days from
9 to 20 November:

- S1 logged both peaks every day; S2 missed the afternoon of Thursday 19th
  (so it fails four-100% #4 but its gate was staffed on the latest day,
  Friday 20th); S3 logged nothing.
- S1's perimeter inspection of 16 November passed; S2's failed one item
  left uncorrected; S3 was never inspected.
- S1 tested its alarm (the police answered) and checked its video (all
  cameras working, 30 days kept) on 16 November; S2 did both, but its video
  keeps 20 days only.
"""

import datetime
import importlib
import zoneinfo

from django.apps import apps as django_apps
from django.db import transaction

from equipment.models import AlarmTest, VideoCheck
from inspections.models import Answer, InspectionRule, Round
from posts.dutylogs import refresh_daily_coverage
from posts.models import DutyLog, GuardRule
from schools.calendar import school_days
from tests.equipment_world import ensure_defaults
from tests.obligations_world import restore_default_rules

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TEN_DAYS = (datetime.date(2026, 11, 9), datetime.date(2026, 11, 20))
MISSED_AFTERNOON = datetime.date(2026, 11, 19)
CHECKED = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)


def log(school, period, day):
    DutyLog.objects.create(school=school, post_period=period, date=day, period=period.period)


def restore_defaults():
    """What the data migrations create and the indicators read (rules, the kit catalogue,
    the national guard rule), where a TransactionTestCase run earlier flushed it."""
    restore_default_rules()
    ensure_defaults()
    if not GuardRule.objects.filter(city=None).exists():
        importlib.import_module("posts.migrations.0009_guard_rules").seed_national_rule(
            django_apps, None
        )


def build_evidence(target):
    restore_defaults()
    # One transaction: the coverage recount locks its rows (TransactionTestCase runs none).
    with transaction.atomic():
        _build_evidence(target)


def _build_evidence(target):
    days = school_days([target.s1.pk], *TEN_DAYS)[target.s1.pk]
    assert len(days) == 10, days
    for key in ("s1", "s2"):
        school = getattr(target, key)
        _post, morning, afternoon = target.posts[key]
        for day in days:
            log(school, morning, day)
            if not (key == "s2" and day == MISSED_AFTERNOON):
                log(school, afternoon, day)
            refresh_daily_coverage(school.pk, day)
    inspector = target.users["officer1"]
    rule = InspectionRule.objects.get(
        obligation__code="perimeter-inspection", obligation__city__isnull=True
    )
    version = rule.template.versions.order_by("-number").first()
    for key in ("s1", "s2"):
        round_ = Round.objects.create(
            school=getattr(target, key),
            rule=rule,
            version=version,
            inspector=inspector,
            started_at=CHECKED,
            finished_at=CHECKED + datetime.timedelta(hours=1),
            status="complete",
        )
        for position, item in enumerate(version.items.order_by("position")):
            Answer.objects.create(
                round=round_,
                item=item,
                passed=not (key == "s2" and position == 0),
                answered_at=CHECKED,
            )
    for key, kept in (("s1", 30), ("s2", 20)):
        school = getattr(target, key)
        AlarmTest.objects.create(
            school=school,
            recorded_by=inspector,
            pressed_by="王老师",
            pressed_at=CHECKED,
            acknowledged_at=CHECKED + datetime.timedelta(minutes=1),
        )
        VideoCheck.objects.create(
            school=school,
            recorded_by=inspector,
            checked_at=CHECKED,
            cameras_total=12,
            cameras_working=12,
            retention_days=kept,
        )
