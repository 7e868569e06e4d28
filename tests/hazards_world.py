"""The hazard tests' world: the organisation of tests/base.py, checkpoints at S1 and S2,
and a hazard maker. Photos are real JPEGs (tests/photos.py) in a temporary MEDIA_ROOT."""

import datetime
import itertools

from django.utils import timezone

from inspections import hazards
from inspections.models import Checkpoint
from tests.base import WorldTestCase
from tests.photos import jpeg, temporary_media, upload

_photo_counter = itertools.count(1)


def photo(name="after.jpg"):
    # A different picture each time (its size), so none is flagged as re-used.
    n = next(_photo_counter)
    return upload(jpeg(size=(64 + n, 48)), name=name)


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


class HazardWorldTestCase(WorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.gates = {
            key: Checkpoint.objects.create(school=getattr(cls, key), name="南门", kind="gate")
            for key in ("s1", "s2", "s3")
        }

    def setUp(self):
        super().setUp()
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)

    def report(self, key="s1", user=None, level="general", category="fire", **extra):
        school = getattr(self, key)
        user = user or (self.officer1 if key == "s1" else self.principal2)
        return hazards.register(
            user,
            school,
            description="灭火器过期",
            category=category,
            level=level,
            checkpoint=extra.pop("checkpoint", self.gates[key]),
            **extra,
        )

    def rectifying(self, key="s1", level="general", **extra):
        """A confirmed hazard being rectified by the safety officer of S1 (or S2's principal)."""
        hazard = self.report(key, level=level, **extra)
        boss = self.principal1 if key == "s1" else self.principal2
        hazard = hazards.confirm(boss, hazard)
        worker = self.officer1 if key == "s1" else self.principal2
        return hazards.start_rectifying(
            boss, hazard, responsible_person=worker, measures="更换灭火器", funds=300
        )

    def closed(self, **extra):
        """A hazard of S1 rectified, re-checked and struck off."""
        hazard = self.rectifying(**extra)
        hazard = hazards.submit(self.officer1, hazard, rectification="ok", photos=[photo()])
        return hazards.close(self.principal1, hazards.verify(self.principal1, hazard))
