"""Two people act on the ledger at the same instant (PostgreSQL, real threads): two
re-checks of one hazard give one transition and a 409; two hazards filed at once at
one school get consecutive ledger numbers."""

import threading

from django.db import connection, connections
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.urls import reverse
from rest_framework.test import APIClient

from inspections.models import Hazard, HazardEvent
from tests.base import World
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
