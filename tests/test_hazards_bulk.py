"""Many reports filed at once (schools.hazards.report_hazards): the same hazards as
filing each one alone (numbers, recurrence, one hazard per origin record), all or
none, in a number of queries that does not grow with the batch."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections.models import Hazard, HazardEvent
from schools.hazards import HazardReport, report_hazard, report_hazards
from tests.hazards_world import HazardWorldTestCase


def reports(schools, count, prefix="sweep", **fields):
    """`count` reports spread over `schools`, found in reverse order of their index."""
    now = timezone.now()
    return [
        HazardReport(
            school=schools[index % len(schools)],
            description=f"第{index}号",
            category=fields.get("category", "security"),
            place=fields.get("place", f"门卫室{index}"),
            origin="handover",
            origin_ref=f"{prefix}:{index}",
            found_at=now - datetime.timedelta(minutes=index),
        )
        for index in range(count)
    ]


class BulkFilingTests(HazardWorldTestCase):
    def test_each_school_numbers_its_batch_after_its_ledger_in_order_of_finding(self):
        before = self.report("s1")
        filed = report_hazards(reports([self.s1, self.s2], 6))
        self.assertEqual([hazard.origin_ref for hazard in filed], [f"sweep:{i}" for i in range(6)])
        s1 = sorted((h for h in filed if h.school_id == self.s1.pk), key=lambda h: h.found_at)
        self.assertEqual(
            [h.number for h in s1], [before.number + 1, before.number + 2, before.number + 3]
        )
        s2 = sorted((h for h in filed if h.school_id == self.s2.pk), key=lambda h: h.found_at)
        self.assertEqual([h.number for h in s2], [1, 2, 3])
        # Saved as filed, each with its one "reported" event.
        self.assertEqual(
            sorted(Hazard.objects.filter(origin="handover").values_list("school_id", "number")),
            sorted((h.school_id, h.number) for h in filed),
        )
        self.assertEqual(
            HazardEvent.objects.filter(
                hazard__in=filed, kind="reported", to_state="reported"
            ).count(),
            6,
        )
        # The next one filed alone follows the batch.
        self.assertEqual(self.report("s2").number, 4)

    def test_the_queries_do_not_grow_with_the_batch(self):
        schools = [self.s1, self.s2, self.s3]
        counts = []
        for prefix, size in (("small", 3), ("large", 60)):
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(len(report_hazards(reports(schools, size, prefix))), size)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        # The records filed before; a savepoint; the schools' cities, their rules and
        # the struck-off hazards (recurrence); new sequences, the numbers; the hazards,
        # their events; the savepoint released.
        self.assertEqual(counts[1], 10, [q["sql"][:60] for q in queries.captured_queries])

    def test_a_record_reported_before_or_twice_is_one_hazard(self):
        earlier = report_hazard(reports([self.s1], 1)[0])
        batch = reports([self.s1], 3)
        filed = report_hazards([*batch, batch[1]])
        self.assertEqual(filed[0].pk, earlier.pk)
        self.assertEqual(filed[1].pk, filed[3].pk)
        self.assertEqual(Hazard.objects.filter(origin="handover").count(), 3)

    def test_a_recurrence_is_found_in_a_batch_as_alone(self):
        first = self.closed(checkpoint=None, place="食堂后门")
        again, elsewhere, other = report_hazards(
            [
                *reports([self.s1], 1, "same", category="fire", place="食堂后门 "),
                *reports([self.s1], 1, "elsewhere", category="fire", place="操场"),
                *reports([self.s1], 1, "other", category="electrical", place="食堂后门"),
            ]
        )
        self.assertEqual(again.recurrence_of_id, first.pk)
        self.assertIsNone(elsewhere.recurrence_of_id)
        self.assertIsNone(other.recurrence_of_id)

    def test_one_bad_report_files_none(self):
        batch = reports([self.s1, self.s2], 4)
        batch[2] = HazardReport(
            school=self.s1, description="", category="nonsense", origin_ref="bad:1"
        )
        with self.assertRaises(ValidationError):
            report_hazards(batch)
        self.assertFalse(Hazard.objects.filter(origin="handover").exists())
        self.assertEqual(report_hazards(reports([self.s1], 1))[0].number, 1)
