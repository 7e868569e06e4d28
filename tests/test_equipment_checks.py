"""Service records, alarm tests and video checks: the services, their rules and the obligations.

The world of tests/equipment_world.py; S1 holds dry-powder extinguishers on its
floor and a radio in its gatehouse. City A has the autumn term, so the
default "alarm-test" and "video-spot-check" rules of the inspections app have
a November window at S1.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scope import OutOfScope
from equipment import checks
from equipment.choices import MovementKind
from equipment.models import AlarmTest, Movement, ServiceRecord, StockBalance, VideoCheck
from equipment.services import add_years
from schools.models import ObligationCompletion, ObligationRule, Term
from tests.equipment_world import EquipmentWorldTestCase, stock
from tests.obligations_world import D, at, restore_default_rules

SERVICED_ON = D(2026, 11, 20)


class ChecksWorldTestCase(EquipmentWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        restore_default_rules()
        Term.objects.create(
            city=cls.city_a, name="2026 秋季学期", start_date=D(2026, 9, 1), end_date=D(2027, 1, 22)
        )
        powder = cls.types["extinguisher-dry-powder"]
        cls.extinguishers = [
            movement.item for movement in stock(cls.principal1, cls.s1_floor, powder, 5)
        ]
        cls.s2_extinguisher = stock(cls.principal2, cls.s2_floor, powder)[0].item
        cls.radio = stock(cls.principal1, cls.s1_gatehouse, cls.types["radio"])[0].item

    def service(self, user, items, number="WB-2026-001", **extra):
        return checks.record_service(
            user,
            school=self.s1,
            firm="滨州消防设施维保有限公司",
            certificate_number=number,
            serviced_on=extra.pop("serviced_on", SERVICED_ON),
            items=items,
            **extra,
        )


class ServiceRecordTests(ChecksWorldTestCase):
    def test_a_service_moves_each_piece_on_through_the_ledger(self):
        balances = list(StockBalance.objects.values_list("pk", "held", "faulty"))
        record = self.service(self.officer1, self.extinguishers[:2])
        self.assertEqual(set(record.items.all()), set(self.extinguishers[:2]))
        movements = Movement.objects.filter(kind=MovementKind.SERVICED)
        self.assertEqual(
            {m.item_id for m in movements}, {item.pk for item in self.extinguishers[:2]}
        )
        self.assertTrue(all(m.held_delta == 0 and m.faulty_delta == 0 for m in movements))
        for item in self.extinguishers[:2]:
            item.refresh_from_db()
            self.assertEqual(item.last_serviced_on, SERVICED_ON)
            # GA 95-2015: dry powder every 2 years after a service.
            self.assertEqual(item.service_due_on, add_years(SERVICED_ON, 2))
        untouched = self.extinguishers[2]
        untouched.refresh_from_db()
        self.assertIsNone(untouched.last_serviced_on)
        # Servicing changes no stock.
        self.assertEqual(list(StockBalance.objects.values_list("pk", "held", "faulty")), balances)

    def test_the_queries_do_not_grow_with_the_pieces(self):
        def count(items, number):
            with CaptureQueriesContext(connection) as captured:
                self.service(self.officer1, items, number)
            return len(captured)

        count(self.extinguishers[:1], "A-0")  # the user's scope, read once and kept
        # savepoint; the certificate's uniqueness; the record; the pieces' M2M
        # (existing, insert); the pieces locked; their due dates (one CASE
        # update); the movements; the write check; release.
        self.assertEqual(count(self.extinguishers[:1], "A-1"), 10)
        self.assertEqual(count(self.extinguishers, "A-2"), 10)

    def test_a_later_certificate_entered_first_is_not_undone(self):
        self.service(self.officer1, self.extinguishers[:1], "NEW", serviced_on=D(2026, 11, 22))
        self.service(self.officer1, self.extinguishers[:1], "OLD", serviced_on=D(2026, 10, 1))
        self.extinguishers[0].refresh_from_db()
        self.assertEqual(self.extinguishers[0].last_serviced_on, D(2026, 11, 22))

    def test_bad_records_save_nothing(self):
        cases = [
            ("another school's piece", [self.s2_extinguisher], {}, "items"),
            ("a type no firm services", [self.radio], {}, "items"),
            ("no piece", [], {}, "items"),
            (
                "a date to come",
                self.extinguishers[:1],
                {"serviced_on": D(2099, 1, 1)},
                "serviced_on",
            ),
        ]
        for name, items, extra, field in cases:
            with self.subTest(name):
                with self.assertRaises(ValidationError) as raised:
                    self.service(self.officer1, items, **extra)
                self.assertIn(field, raised.exception.message_dict)
        self.service(self.officer1, self.extinguishers[:1], "DUP")
        with self.assertRaises(ValidationError):
            self.service(self.officer1, self.extinguishers[1:2], "DUP")
        self.assertEqual(ServiceRecord.objects.count(), 1)
        self.assertEqual(Movement.objects.filter(kind=MovementKind.SERVICED).count(), 1)

    def test_only_the_schools_staff_record_a_service(self):
        for persona in ("principal2", "police1", "district1", "principal1_police2"):
            user = getattr(self, persona, None) or self.users.get(persona)
            if user is None:
                continue
            with self.subTest(persona), self.assertRaises(OutOfScope):
                self.service(user, self.extinguishers[:1], f"X-{persona}")
        self.assertFalse(ServiceRecord.objects.exists())
        self.assertFalse(Movement.objects.filter(kind=MovementKind.SERVICED).exists())


class AlarmAndVideoTests(ChecksWorldTestCase):
    def alarm(self, user=None, **fields):
        fields = {
            "school": self.s1,
            "pressed_by": "王保安",
            "pressed_at": at(D(2026, 11, 10), 9),
            "acknowledged_at": at(D(2026, 11, 10), 9, 1),
            "arrived_at": at(D(2026, 11, 10), 9, 6),
            **fields,
        }
        return checks.record_check(user or self.officer1, AlarmTest(**fields))

    def video(self, user=None, **fields):
        fields = {
            "school": self.s1,
            "checked_at": at(D(2026, 11, 12), 15),
            "cameras_total": 24,
            "cameras_working": 24,
            "retention_days": 30,
            **fields,
        }
        return checks.record_check(user or self.officer1, VideoCheck(**fields))

    def test_an_alarm_test_completes_the_months_alarm_test_obligation(self):
        test = self.alarm()
        self.assertEqual((test.acknowledge_minutes, test.arrival_minutes), (1.0, 6.0))
        completion = ObligationCompletion.objects.get(source=f"equipment.alarmtest:{test.pk}")
        self.assertEqual(completion.rule.code, "alarm-test")
        self.assertEqual(completion.school_id, self.s1.pk)
        self.assertFalse(completion.is_late)

    def test_a_video_check_completes_the_video_spot_check(self):
        check = self.video()
        completion = ObligationCompletion.objects.get(source=f"equipment.videocheck:{check.pk}")
        self.assertEqual(completion.rule.code, "video-spot-check")

    def test_a_citys_own_rule_is_the_one_completed(self):
        national = ObligationRule.objects.get(city=None, code="alarm-test")
        own = ObligationRule.objects.create(
            city=self.city_a,
            code="alarm-test",
            domain="inspections",
            name="季度一键报警测试",
            basis="quarter",
            source="市公安局",
        )
        test = self.alarm()
        rules = set(
            ObligationCompletion.objects.filter(
                source=f"equipment.alarmtest:{test.pk}"
            ).values_list("rule_id", flat=True)
        )
        self.assertEqual(rules, {own.pk})
        self.assertNotIn(national.pk, rules)

    def test_video_kept_under_30_days_or_a_camera_down_is_flagged(self):
        fine = self.video()
        short = self.video(retention_days=29)
        down = self.video(cameras_working=23)
        self.assertEqual((fine.is_flagged, short.is_flagged, down.is_flagged), (False, True, True))
        self.assertEqual(set(VideoCheck.objects.flagged()), {short, down})

    def test_bad_records_are_refused_by_field_and_save_nothing(self):
        cases = [
            (self.alarm, {"acknowledged_at": at(D(2026, 11, 10), 8)}, "acknowledged_at"),
            (self.alarm, {"gate": self.s2.gates.get()}, "gate"),
            (self.alarm, {"pressed_at": at(D(2099, 1, 1), 8)}, "pressed_at"),
            (self.video, {"cameras_working": 25}, "cameras_working"),
            (self.video, {"cameras_total": 0, "cameras_working": 0}, "cameras_total"),
        ]
        for record, fields, field in cases:
            with self.subTest(field=field), self.assertRaises(ValidationError) as raised:
                record(**fields)
            self.assertIn(field, raised.exception.message_dict)
        self.assertFalse(AlarmTest.objects.exists() or VideoCheck.objects.exists())
        self.assertFalse(ObligationCompletion.objects.exists())

    def test_outside_the_school_nothing_is_saved(self):
        for persona in ("principal2", "police1", "district1", "city"):
            with self.subTest(persona), self.assertRaises(OutOfScope):
                self.alarm(getattr(self, persona))
        self.assertFalse(AlarmTest.objects.exists())
        self.assertFalse(ObligationCompletion.objects.exists())

    def test_the_indicator_reads_each_schools_latest_in_one_query(self):
        self.alarm(pressed_at=at(D(2026, 11, 1), 9), acknowledged_at=None, arrived_at=None)
        self.alarm()
        self.video(retention_days=20)
        with self.assertNumQueries(1):
            figures = checks.alarm_and_video(
                type(self.s1).objects.filter(pk__in=[self.s1.pk, self.s2.pk])
            )
        s1, s2 = figures[self.s1.pk], figures[self.s2.pk]
        self.assertEqual(s1.alarm_tested_at, at(D(2026, 11, 10), 9))
        self.assertTrue(s1.alarm_reached_police)
        self.assertFalse(s1.video_ok)
        self.assertFalse(s1.is_ok(at(D(2026, 11, 1))))
        self.assertIsNone(s2.alarm_tested_at)
        self.assertIsNone(s2.video_ok)
        self.video(checked_at=at(D(2026, 11, 13), 9))
        self.assertTrue(
            checks.alarm_and_video(type(self.s1).objects.filter(pk=self.s1.pk))[self.s1.pk].is_ok(
                at(D(2026, 11, 1))
            )
        )


class CheckPageTests(ChecksWorldTestCase):
    def login(self, persona):
        self.client.force_login(self.users[persona])

    def test_a_service_recorded_from_the_page(self):
        self.login("officer1")
        url = reverse("equipment-checks:service-new", args=[self.s1.pk])
        page = self.client.get(url)
        self.assertContains(page, self.extinguishers[0].equipment_type.name)
        self.assertNotContains(page, "对讲机")
        response = self.client.post(
            url,
            {
                "firm": "维保公司",
                "certificate_number": "P-1",
                "serviced_on": SERVICED_ON.isoformat(),
                "items": [self.extinguishers[0].pk, self.extinguishers[1].pk],
            },
        )
        self.assertRedirects(response, reverse("equipment-checks:school", args=[self.s1.pk]))
        self.assertEqual(ServiceRecord.objects.get().items.count(), 2)
        school_page = self.client.get(reverse("equipment-checks:school", args=[self.s1.pk]))
        self.assertContains(school_page, "P-1")

    def test_bad_input_is_a_form_error_and_saves_nothing(self):
        self.login("officer1")
        url = reverse("equipment-checks:video-check-new", args=[self.s1.pk])
        response = self.client.post(
            url,
            {
                "checked_at": "2026-11-20T10:00",
                "cameras_total": 10,
                "cameras_working": 12,
                "retention_days": 30,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("cameras_working", response.context["form"].errors)
        duplicate = self.client.post(
            reverse("equipment-checks:service-new", args=[self.s1.pk]),
            {"firm": "x", "certificate_number": "P", "serviced_on": "2026-11-20", "items": []},
        )
        self.assertEqual(duplicate.status_code, 200)
        self.assertFalse(VideoCheck.objects.exists() or ServiceRecord.objects.exists())

    def test_an_alarm_test_from_the_page_counts_for_the_month(self):
        self.login("principal1")
        response = self.client.post(
            reverse("equipment-checks:alarm-test-new", args=[self.s1.pk]),
            {
                "gate": self.s1.gates.get().pk,
                "pressed_by": "门卫李",
                "pressed_at": "2026-11-18T10:00",
                "police_told_beforehand": "on",
                "acknowledged_at": "2026-11-18T10:01",
                "arrived_at": "2026-11-18T10:07",
            },
        )
        self.assertEqual(response.status_code, 302)
        test = AlarmTest.objects.get()
        self.assertTrue(
            ObligationCompletion.objects.filter(source=f"equipment.alarmtest:{test.pk}").exists()
        )

    def test_who_may_open_the_pages(self):
        school = reverse("equipment-checks:school", args=[self.s1.pk])
        form = reverse("equipment-checks:alarm-test-new", args=[self.s1.pk])
        expected = {
            "officer1": (200, 200),
            "principal1": (200, 200),
            "admin": (200, 200),
            "district1": (200, 403),
            "police1": (200, 403),
            "principal2": (404, 404),
            "district2": (404, 404),
            "outsider": (404, 404),
        }
        for persona, statuses in expected.items():
            with self.subTest(persona):
                self.login(persona)
                got = (self.client.get(school).status_code, self.client.get(form).status_code)
                self.assertEqual(got, statuses)

    def test_the_bureaus_alarm_and_video_list(self):
        self.login("district1")
        checks.record_check(
            self.officer1,
            VideoCheck(
                school=self.s1,
                checked_at=at(D(2026, 11, 12), 15),
                cameras_total=4,
                cameras_working=3,
                retention_days=30,
            ),
        )
        page = self.client.get(reverse("equipment-checks:alarm-video"))
        self.assertContains(page, self.s1.name)
        self.assertNotContains(page, self.s2.name)
        self.assertContains(page, "1 台摄像机故障")

    def test_the_page_queries_are_pinned(self):
        self.service(self.officer1, self.extinguishers[:2], "Q-1")
        self.login("officer1")
        url = reverse("equipment-checks:school", args=[self.s1.pk])
        self.client.get(url)
        # session, user, role assignments, the school, may-add; the records, their
        # pieces (prefetch) and the pieces' types, the alarm tests, video checks,
        # the missing pieces; the layout's unread badge.
        with self.assertNumQueries(12):
            self.client.get(url)
        self.service(self.officer1, self.extinguishers[2:], "Q-2")
        with self.assertNumQueries(12):
            self.client.get(url)
