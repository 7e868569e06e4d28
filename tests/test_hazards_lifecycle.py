"""The hazard ledger's lifecycle (inspections/hazards.py): numbering, each transition,
who may do what, the re-check by a second person, a major hazard's bureau sign-off."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.scope import OutOfScope
from campussafety.errors import Conflict
from inspections import hazards
from inspections.models import Hazard, HazardEvent, HazardRules
from tests.hazards_world import HazardWorldTestCase, days, photo, today


class NumberingTests(HazardWorldTestCase):
    def test_numbers_run_per_school_and_restart_each_january(self):
        first, second = self.report(), self.report()
        other = self.report("s2")
        self.assertEqual(
            [(h.year, h.number) for h in (first, second)], [(first.year, 1)] * 1 + [(first.year, 2)]
        )
        self.assertEqual(other.number, 1)
        earlier = timezone.make_aware(datetime.datetime(first.year - 1, 12, 31, 9))
        last_year = self.report(found_at=earlier)
        self.assertEqual((last_year.year, last_year.number), (first.year - 1, 1))
        self.assertEqual(first.ledger_number, f"{first.year}-001")

    def test_a_report_writes_its_first_event_and_before_photos(self):
        hazard = self.report(photos=[photo("before.jpg")])
        event = hazard.events.get()
        self.assertEqual(
            (event.kind, event.to_state, event.actor), ("reported", "reported", self.officer1)
        )
        self.assertEqual(list(hazard.photos.values_list("kind", "event")), [("before", event.pk)])
        self.assertEqual(len(hazard.photos.get().sha256), 64)

    def test_a_report_outside_the_scope_is_refused_and_nothing_is_saved(self):
        with self.assertRaises(OutOfScope):
            self.report("s2", user=self.officer1, checkpoint=None)
        self.assertFalse(Hazard.objects.exists())

    def test_a_checkpoint_of_another_school_is_refused(self):
        with self.assertRaises(ValidationError):
            self.report("s1", checkpoint=self.gates["s2"])

    def test_events_are_append_only(self):
        event = self.report().events.get()
        event.note = "changed"
        with self.assertRaises(ValueError):
            event.save()


class LifecycleTests(HazardWorldTestCase):
    def test_school_cannot_verify_its_own_work_a_second_person_verifies_and_it_is_struck_off(self):
        hazard = self.rectifying()
        self.assertEqual(hazard.state, "rectifying")
        self.assertEqual(hazard.deadline, today() + days(7))
        with self.assertRaises(ValidationError):
            hazards.submit(self.officer1, hazard, rectification="已更换", photos=[])
        hazard = hazards.submit(self.officer1, hazard, rectification="已更换", photos=[photo()])
        self.assertEqual((hazard.state, hazard.submitted_by), ("submitted", self.officer1))
        # The one who did the work does not re-check it.
        with self.assertRaises(PermissionDenied):
            hazards.verify(self.officer1, hazard)
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "submitted")
        hazard = hazards.verify(self.principal1, hazard, note="现场复查合格")
        self.assertEqual((hazard.state, hazard.verified_by), ("verified", self.principal1))
        hazard = hazards.close(self.principal1, hazard)
        self.assertEqual(hazard.state, "closed")
        self.assertIsNotNone(hazard.closed_at)
        self.assertEqual(
            list(hazard.events.values_list("kind", flat=True)),
            ["reported", "confirmed", "assigned", "submitted", "verified", "closed"],
        )
        self.assertEqual(hazard.photos.filter(kind="after").count(), 1)

    def test_a_return_sends_it_back_with_the_reason(self):
        hazard = hazards.submit(
            self.officer1, self.rectifying(), rectification="x", photos=[photo()]
        )
        with self.assertRaises(ValidationError):
            hazards.return_for_work(self.principal1, hazard, reason="")
        hazard = hazards.return_for_work(self.principal1, hazard, reason="仍有过期灭火器")
        self.assertEqual(hazard.state, "returned")
        self.assertEqual(hazard.events.last().note, "仍有过期灭火器")
        hazard = hazards.start_rectifying(self.officer1, hazard)
        self.assertEqual(hazard.state, "rectifying")

    def test_reject_and_merge(self):
        original, duplicate, wrong = self.report(), self.report(), self.report()
        hazards.merge(self.principal1, duplicate, original)
        duplicate.refresh_from_db()
        self.assertEqual((duplicate.state, duplicate.duplicate_of), ("merged", original))
        with self.assertRaises(ValidationError):
            hazards.merge(self.principal1, original, original)
        with self.assertRaises(ValidationError):
            hazards.reject(self.principal1, wrong, reason="")
        self.assertEqual(
            hazards.reject(self.principal1, wrong, reason="不是隐患").state, "rejected"
        )
        # A rejected hazard no longer moves: a conflict, not a silent change.
        with self.assertRaises(Conflict):
            hazards.confirm(self.principal1, wrong)

    def test_police_report_but_do_not_confirm(self):
        hazard = self.report(user=self.police1)
        self.assertEqual(hazard.reported_by, self.police1)
        with self.assertRaises(OutOfScope):
            hazards.confirm(self.police1, hazard)
        hazard.refresh_from_db()
        self.assertEqual((hazard.state, hazard.events.count()), ("reported", 1))

    def test_deadline_defaults_follow_the_citys_rules(self):
        HazardRules.objects.create(city=self.city_a, serious_days=10)
        hazard = hazards.confirm(self.principal1, self.report(level="serious"))
        self.assertEqual(hazard.deadline, today() + days(10))
        with self.assertRaises(ValidationError):
            hazards.confirm(self.principal1, self.report(), deadline=today() - days(1))

    def test_overdue_is_computed_from_state_and_deadline(self):
        hazard = self.rectifying()
        Hazard.objects.filter(pk=hazard.pk).update(deadline=today() - days(1))
        self.assertEqual(list(Hazard.objects.overdue()), [hazard])
        self.assertTrue(Hazard.objects.with_overdue().get().is_overdue)
        Hazard.objects.filter(pk=hazard.pk).update(state="submitted")
        self.assertFalse(Hazard.objects.overdue().exists())


class MajorHazardTests(HazardWorldTestCase):
    def supervised(self, level="district", user=None):
        hazard = self.rectifying(level="major")
        order = hazards.supervise(
            user or self.district1,
            hazard,
            level=level,
            measures="封闭配电房",
            responsibility="校长负责",
            funds="区财政 5 万元",
            deadline=today() + days(20),
            contingency_plan="停用并设置警戒",
        )
        return Hazard.objects.get(pk=hazard.pk), order

    def test_major_under_district_supervision_closes_only_with_district_sign_off(self):
        hazard, order = self.supervised()
        self.assertTrue(hazard.supervised)
        self.assertEqual((hazard.deadline, order.report_every_days), (today() + days(20), 7))
        report = hazards.report_progress(self.officer1, order, progress="已停用", photos=[photo()])
        self.assertEqual(report.event.kind, "progress")
        hazard = hazards.submit(self.officer1, hazard, rectification="已更换线路", photos=[photo()])
        hazard = hazards.verify(self.principal1, hazard)
        with self.assertRaises(ValidationError):
            hazards.close(self.principal1, hazard)
        # The school does not sign off its own major hazard.
        with self.assertRaises((PermissionDenied, OutOfScope)):
            hazards.sign_off(self.principal1, hazard)
        # Nor does another district's staff (out of scope: as if missing).
        with self.assertRaises((PermissionDenied, OutOfScope)):
            hazards.sign_off(self.district2, hazard)
        hazard = hazards.sign_off(self.district1, hazard)
        self.assertEqual(hazard.signed_off_by, self.district1)
        with self.assertRaises(Conflict):
            hazards.sign_off(self.district1, hazard)
        hazard = hazards.close(self.principal1, hazard)
        self.assertEqual(hazard.state, "closed")
        order.refresh_from_db()
        self.assertFalse(hazard.supervised)
        self.assertIsNotNone(order.lifted_at)

    def test_under_city_supervision_only_the_city_signs_off(self):
        with self.assertRaises(PermissionDenied):
            self.supervised(level="city")
        hazard, _order = self.supervised(level="city", user=self.city)
        hazard = hazards.verify(
            self.principal1,
            hazards.submit(self.officer1, hazard, rectification="x", photos=[photo()]),
        )
        with self.assertRaises(PermissionDenied):
            hazards.sign_off(self.district1, hazard)
        self.assertEqual(hazards.sign_off(self.city, hazard).signed_off_by, self.city)

    def test_a_hazard_is_supervised_once_and_lifted(self):
        hazard, order = self.supervised()
        with self.assertRaises(Conflict):
            self.supervised_again(hazard)
        hazards.lift_supervision(self.district1, order, note="已整改")
        hazard.refresh_from_db()
        self.assertFalse(hazard.supervised)
        with self.assertRaises(Conflict):
            hazards.report_progress(self.officer1, order, progress="x")

    def supervised_again(self, hazard):
        hazards.supervise(
            self.district1,
            hazard,
            level="district",
            measures="m",
            responsibility="r",
            funds="f",
            deadline=today() + days(5),
            contingency_plan="c",
        )


class ExtensionTests(HazardWorldTestCase):
    def test_the_principal_decides_a_general_hazards_extension(self):
        hazard = self.rectifying()
        request = hazards.request_extension(
            self.officer1, hazard, new_deadline=today() + days(30), reason="等待采购"
        )
        with self.assertRaises(Conflict):
            hazards.request_extension(
                self.officer1, hazard, new_deadline=today() + days(31), reason="again"
            )
        with self.assertRaises(OutOfScope):
            hazards.decide_extension(self.officer1, request, approve=True)
        hazards.decide_extension(self.principal1, request, approve=True, note="同意")
        hazard.refresh_from_db()
        self.assertEqual(hazard.deadline, today() + days(30))
        self.assertEqual(request.status, "approved")
        with self.assertRaises(Conflict):
            hazards.decide_extension(self.principal1, request, approve=False)
        self.assertEqual(
            list(hazard.events.filter(kind__startswith="extension").values_list("kind", flat=True)),
            ["extension_requested", "extension_approved"],
        )

    def test_a_major_hazards_extension_is_the_districts(self):
        hazard = self.rectifying(level="major")
        request = hazards.request_extension(
            self.officer1, hazard, new_deadline=hazard.deadline + days(10), reason="工期"
        )
        with self.assertRaises(PermissionDenied):
            hazards.decide_extension(self.principal1, request, approve=True)
        hazards.decide_extension(self.district1, request, approve=False, note="不同意")
        self.assertEqual(request.status, "refused")
        self.assertEqual(HazardEvent.objects.filter(kind="extension_refused").count(), 1)


class AllowedActionsTests(HazardWorldTestCase):
    def test_the_buttons_follow_the_same_rules(self):
        reported = self.report()
        self.assertEqual(
            hazards.allowed_actions(self.principal1, reported), ["confirm", "reject", "merge"]
        )
        self.assertEqual(hazards.allowed_actions(self.police1, reported), [])
        self.assertEqual(
            hazards.allowed_actions(self.district1, reported),
            ["confirm", "reject", "merge", "supervise"],
        )
        hazard = hazards.submit(
            self.officer1, self.rectifying(level="major"), rectification="x", photos=[photo()]
        )
        self.assertEqual(hazards.allowed_actions(self.officer1, hazard), [])
        self.assertEqual(hazards.allowed_actions(self.principal1, hazard), ["return", "verify"])
        hazard = hazards.verify(self.principal1, hazard)
        self.assertEqual(hazards.allowed_actions(self.principal1, hazard), [])
        self.assertEqual(hazards.allowed_actions(self.district1, hazard), ["sign_off", "supervise"])
        hazard = hazards.sign_off(self.district1, hazard)
        self.assertEqual(hazards.allowed_actions(self.principal1, hazard), ["close"])
