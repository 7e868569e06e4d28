"""How hazards reach the ledger: schools.hazards.report_hazard (idempotent per origin
record), a failed round item, the adoption of the findings rounds kept before the
ledger, and recurrence (反弹) after a hazard was struck off."""

import importlib

from django.apps import apps
from django.utils import timezone

from inspections import hazards, services
from inspections.models import Finding, Hazard, HazardRules
from schools.hazards import HazardReport, report_hazard
from tests.hazards_world import HazardWorldTestCase, days
from tests.rounds_world import NOW, RoundsWorldTestCase

adoption = importlib.import_module("inspections.migrations.0007_adopt_findings")


class ReportHazardTests(HazardWorldTestCase):
    def report_from_a_drill(self, **extra):
        return report_hazard(
            HazardReport(
                school=self.s1,
                description="疏散通道堵塞",
                category="building",
                level="serious",
                place="三楼东侧楼梯",
                origin="drill",
                origin_ref="drills.drill:42",
                origin_url="/drills/42/",
                **extra,
            )
        )

    def test_the_same_origin_record_files_one_hazard(self):
        first = self.report_from_a_drill()
        again = self.report_from_a_drill()
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Hazard.objects.count(), 1)
        self.assertEqual(
            (first.state, first.origin, first.origin_url, first.place, first.reported_by),
            ("reported", "drill", "/drills/42/", "三楼东侧楼梯", None),
        )
        self.assertEqual(first.events.count(), 1)

    def test_a_confirmed_hazard_is_not_reopened_or_duplicated(self):
        first = hazards.confirm(self.principal1, self.report_from_a_drill())
        self.assertEqual(self.report_from_a_drill().state, "confirmed")
        self.assertEqual(Hazard.objects.filter(pk=first.pk).count(), 1)


class RoundFailureTests(RoundsWorldTestCase):
    def test_a_failed_round_item_becomes_a_hazard_linked_to_its_round(self):
        round_ = services.start_round(self.guard1, self.s1, self.rule, now=NOW)
        gate = self.checkpoints["s1"][0]
        services.scan(round_, gate, now=NOW)
        answer = services.answer(
            round_, self.items[1], gate, passed=False, text="有人翻墙", now=NOW
        )
        hazard = Hazard.objects.get()
        self.assertEqual(
            (hazard.origin, hazard.origin_ref, hazard.round, hazard.answer, hazard.checkpoint),
            ("round", f"inspections.answer:{answer.pk}", round_, answer, gate),
        )
        self.assertEqual(
            (hazard.category, hazard.level, hazard.reported_by),
            ("security", "serious", self.guard1),
        )
        self.assertEqual(hazard.origin_url, f"/inspections/rounds/{round_.pk}/")
        self.assertEqual(Finding.objects.get().hazard, hazard)


class AdoptionTests(RoundsWorldTestCase):
    def test_open_findings_become_reported_hazards_numbered_after_the_ledger(self):
        round_ = services.start_round(self.guard1, self.s1, self.rule, now=NOW)
        gate = self.checkpoints["s1"][0]
        services.scan(round_, gate, now=NOW)
        # One hazard filed the new way already holds number 1 this year.
        services.answer(round_, self.items[1], gate, passed=False, now=NOW)
        old = []
        for item, checkpoint in ((self.items[0], self.checkpoints["s1"][1]), (self.items[2], None)):
            if checkpoint:
                services.scan(round_, checkpoint, now=NOW)
            row = round_.answers.create(
                item=item, checkpoint=checkpoint, passed=False, answered_at=NOW
            )
            old.append(
                Finding.objects.create(
                    school=self.s1,
                    round=round_,
                    answer=row,
                    place=checkpoint.name if checkpoint else "全校",
                    description=item.text,
                    hazard_category=item.hazard_category,
                    hazard_level=item.hazard_level,
                    found_at=NOW,
                )
            )
        adoption.adopt(apps, None)
        for finding in old:
            finding.refresh_from_db()
            self.assertEqual(finding.status, "adopted")
            self.assertEqual(finding.adopted_as, f"inspections.hazard:{finding.hazard_id}")
        numbers = sorted(f.hazard.number for f in old)
        self.assertEqual(numbers, [2, 3])
        adopted = old[0].hazard
        self.assertEqual(
            (adopted.state, adopted.round, adopted.checkpoint, adopted.reported_by),
            ("reported", round_, self.checkpoints["s1"][1], self.guard1),
        )
        self.assertEqual(adopted.events.get().kind, "reported")
        # The next hazard filed continues the numbering; adopting again adopts nothing.
        adoption.adopt(apps, None)
        self.assertEqual(Hazard.objects.count(), 3)
        services.scan(round_, self.checkpoints["s1"][2], now=NOW)
        services.answer(round_, self.items[1], self.checkpoints["s1"][2], passed=False, now=NOW)
        self.assertEqual(Hazard.objects.order_by("-number").first().number, 4)


class RecurrenceTests(HazardWorldTestCase):
    def test_same_category_at_the_same_checkpoint_within_the_window_is_a_recurrence(self):
        first = self.closed()
        again = self.report()
        self.assertEqual(again.recurrence_of, first)
        self.assertTrue(again.is_recurrence)
        # Another category, or another checkpoint, is not.
        self.assertIsNone(self.report(category="electrical").recurrence_of)
        self.assertIsNone(self.report(checkpoint=None, place="食堂").recurrence_of)

    def test_outside_the_citys_window_it_is_not(self):
        first = self.closed()
        HazardRules.objects.create(city=self.city_a, recurrence_days=30)
        Hazard.objects.filter(pk=first.pk).update(closed_at=timezone.now() - days(31))
        self.assertIsNone(self.report().recurrence_of)
        Hazard.objects.filter(pk=first.pk).update(closed_at=timezone.now() - days(29))
        self.assertEqual(self.report().recurrence_of, first)

    def test_free_text_places_match_when_written_the_same(self):
        first = self.closed(checkpoint=None, place="食堂后门")
        self.assertEqual(self.report(checkpoint=None, place="食堂后门 ").recurrence_of, first)
