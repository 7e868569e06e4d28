"""Two people act on the ledger at the same instant (PostgreSQL, real threads): two
re-checks of one hazard give one transition and a 409; two hazards filed at once at
one school get consecutive ledger numbers; two sweeps filing the same backlog of
missing kit file each piece once."""

import datetime
import threading

from django.db import connection, connections
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from equipment import handover
from equipment.models import EquipmentType, KitConfirmation, KitShortage, Location
from inspections.models import Hazard, HazardEvent
from tests.base import World
from tests.equipment_world import ensure_defaults
from tests.test_api_hazards import make


def at_once(calls):
    """Run each of `calls` in its own thread, released together; their results by index."""
    barrier = threading.Barrier(len(calls))
    results = {}

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentTransitionTests(TransactionTestCase):
    def setUp(self):
        World.build(self)

    def client_of(self, persona):
        client = APIClient()
        client.force_authenticate(self.users[persona])
        return client

    def test_two_verifications_give_one_transition_and_a_409(self):
        hazard = make(self.s1, "submitted")
        url = reverse("hazard-verify", args=[hazard.pk])
        clients = [self.client_of("principal1"), self.client_of("district1")]
        results = at_once([lambda c=c: c.post(url) for c in clients])
        self.assertEqual(sorted(r.status_code for r in results.values()), [200, 409])
        self.assertEqual(HazardEvent.objects.filter(hazard=hazard, kind="verified").count(), 1)
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "verified")
        self.assertEqual(connection.vendor, "postgresql")

    def test_hazards_filed_at_once_get_consecutive_numbers(self):
        body = {"school": self.s1.pk, "description": "x", "category": "fire", "place": "操场"}
        clients = [self.client_of(p) for p in ("principal1", "officer1", "district1")]
        results = at_once(
            [lambda c=c: c.post(reverse("hazard-list"), body, format="json") for c in clients]
        )
        self.assertEqual([r.status_code for r in results.values()], [201] * 3)
        self.assertEqual(
            sorted(Hazard.objects.filter(school=self.s1).values_list("number", flat=True)),
            [1, 2, 3],
        )


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentEscalationTests(TransactionTestCase):
    def test_two_sweeps_at_once_file_each_missing_piece_once(self):
        World.build(self)
        ensure_defaults()
        now = timezone.now()
        types = list(EquipmentType.objects.filter(city=None)[:6])
        shortages = []
        for school in (self.s1, self.s2):
            place = Location.objects.create(school=school, kind="gatehouse", name="门卫室")
            confirmation = KitConfirmation.objects.create(
                school=school, location=place, confirmed_by=self.officer1, is_complete=False
            )
            shortages += KitShortage.objects.bulk_create(
                KitShortage(
                    confirmation=confirmation,
                    school=school,
                    location=place,
                    equipment_type=kind,
                    found_at=now - datetime.timedelta(hours=3),
                )
                for kind in types
            )
        results = at_once([lambda: handover.escalate_overdue(now)] * 2)
        escalated = sorted(s.pk for batch in results.values() for s in batch)
        self.assertEqual(escalated, sorted(s.pk for s in shortages))
        self.assertEqual(Hazard.objects.filter(origin="handover").count(), 12)
        for school in (self.s1, self.s2):
            numbers = Hazard.objects.filter(school=school).values_list("number", flat=True)
            self.assertEqual(sorted(numbers), list(range(1, 7)))
