"""campussafety.keyset: positions read back or refused, and a queryset read either way."""

from django.core.exceptions import BadRequest
from django.test import SimpleTestCase

from campussafety import keyset
from schools.models import School
from tests.base import WorldTestCase


class PositionTests(SimpleTestCase):
    def test_a_position_is_written_and_read_back(self):
        rows = keyset.OrderedQuerySet(School.objects.all(), ("name", "-pk"))
        self.assertEqual(keyset.encode(("滨城一小", 12)), "滨城一小~12")
        self.assertEqual(keyset.decode(rows, "滨城一小~12"), ("滨城一小", 12))
        self.assertIsNone(keyset.decode(rows, ""))

    def test_a_position_that_is_not_one_is_a_400(self):
        rows = keyset.OrderedQuerySet(School.objects.all(), ("name", "-pk"))
        for cursor in ("滨城一小", "滨城一小~12~3", "滨城一小~twelve"):
            with self.subTest(cursor=cursor), self.assertRaises(BadRequest):
                keyset.decode(rows, cursor)


class OrderedQuerySetTests(WorldTestCase):
    def test_pages_on_and_back_in_the_ordering(self):
        ordering = ("district_id", "-pk")
        everything = list(School.objects.order_by(*ordering))
        self.assertGreaterEqual(len(everything), 4)
        rows = keyset.OrderedQuerySet(School.objects.all(), ordering)
        first, more = keyset.read_page(rows, None, 2)
        self.assertEqual((first, more), (everything[:2], True))
        walked = [row for page in keyset.walk(rows, 2) for row in page]
        self.assertEqual(walked, everything)
        # Back from the fourth: the two before it, in the list's order.
        back, more = keyset.read_page(rows, rows.position(everything[3]), 2, backwards=True)
        self.assertEqual((back, more), (everything[1:3], True))
        back, more = keyset.read_page(rows, rows.position(everything[2]), 2, backwards=True)
        self.assertEqual((back, more), (everything[:2], False))
