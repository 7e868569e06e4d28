"""Rounds with evidence: scans, answers, findings, finishing, photo flags, QR tokens, guards."""

import datetime

from django.apps import apps
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.choices import Role
from inspections import qrcodes, services
from inspections.models import Answer, Checkpoint, Finding, Hazard, Round, Scan
from schools.models import ObligationCompletion, ObligationWindow, School
from tests.photos import GPS_BLOCK, jpeg, temporary_media, upload
from tests.rounds_world import NOW, RoundsWorldTestCase

MINUTE = datetime.timedelta(minutes=1)


class RoundTests(RoundsWorldTestCase):
    def setUp(self):
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)
        self.round = services.start_round(self.guard1, self.s1, self.rule, now=NOW)

    def scan_all(self, checkpoints=None):
        for n, checkpoint in enumerate(checkpoints or self.checkpoints["s1"]):
            services.scan(self.round, checkpoint, now=NOW + n * MINUTE)

    def test_a_full_round_is_complete_and_counts_towards_its_window(self):
        self.scan_all()
        for checkpoint in self.checkpoints["s1"]:
            services.all_fine(self.round, checkpoint, now=NOW + 10 * MINUTE)
        services.all_fine(self.round, None, now=NOW + 10 * MINUTE)
        services.finish(self.round, now=NOW + 20 * MINUTE)
        self.round.refresh_from_db()
        self.assertEqual(self.round.status, "complete")
        self.assertEqual(list(self.round.skipped.all()), [])
        # 5 checkpoints x 2 items, and the round's own item.
        self.assertEqual(Answer.objects.filter(round=self.round, passed=True).count(), 11)
        completion = ObligationCompletion.objects.get(source=f"inspections.round:{self.round.pk}")
        self.assertEqual(completion.occurred_at, NOW + 20 * MINUTE)
        self.assertEqual(ObligationWindow.objects.get(school=self.s1).completions, 1)

    def test_skipped_checkpoints_make_the_round_incomplete_and_are_named(self):
        self.scan_all(self.checkpoints["s1"][:3])
        services.finish(self.round, now=NOW + 20 * MINUTE)
        self.round.refresh_from_db()
        self.assertEqual(self.round.status, "incomplete")
        self.assertEqual(
            {c.name for c in self.round.skipped.all()},
            {c.name for c in self.checkpoints["s1"][3:]},
        )
        # Incomplete still happened: it counts, and the reviewer sees what it skipped.
        self.assertTrue(ObligationCompletion.objects.filter(rule=self.rule.obligation).exists())

    def test_a_finished_round_takes_no_more_scans_answers_or_finishing(self):
        services.finish(self.round, now=NOW)
        for attempt in (
            lambda: services.scan(self.round, self.checkpoints["s1"][0]),
            lambda: services.all_fine(self.round, self.checkpoints["s1"][0]),
            lambda: services.finish(self.round),
        ):
            with self.assertRaises(ValidationError):
                attempt()

    def test_scanning_again_keeps_the_first_time(self):
        gate = self.checkpoints["s1"][0]
        services.scan(self.round, gate, now=NOW)
        services.scan(self.round, gate, now=NOW + 5 * MINUTE)
        self.assertEqual(Scan.objects.get(round=self.round, checkpoint=gate).scanned_at, NOW)

    def test_another_schools_checkpoint_cannot_be_scanned(self):
        with self.assertRaises(ValidationError):
            services.scan(self.round, self.checkpoints["s2"][0])
        self.assertFalse(Scan.objects.exists())

    def test_answering_needs_the_checkpoint_scanned_first(self):
        with self.assertRaises(ValidationError):
            services.answer(self.round, self.items[0], self.checkpoints["s1"][0], passed=True)
        self.assertFalse(Answer.objects.exists())

    def test_an_item_is_asked_only_where_it_belongs(self):
        gate = self.checkpoints["s1"][0]
        services.scan(self.round, gate, now=NOW)
        with self.assertRaises(ValidationError):
            services.answer(self.round, self.items[2], gate, passed=True)
        with self.assertRaises(ValidationError):
            services.answer(self.round, self.items[0], None, passed=True)

    def test_a_fail_not_corrected_becomes_a_hazard_on_the_ledger(self):
        gate = self.checkpoints["s1"][0]
        services.scan(self.round, gate, now=NOW)
        answer = services.answer(
            self.round, self.items[1], gate, passed=False, text="门口徘徊", now=NOW
        )
        finding = Finding.objects.get(answer=answer)
        self.assertEqual(
            (finding.status, finding.place, finding.hazard_level, finding.school_id),
            ("adopted", "南门", "serious", self.s1.pk),
        )
        hazard = finding.hazard
        self.assertEqual(
            (hazard.state, hazard.checkpoint, hazard.round, hazard.answer, hazard.level),
            ("reported", gate, self.round, answer, "serious"),
        )
        self.assertEqual((hazard.year, hazard.number), (NOW.year, 1))
        self.assertIn("门口徘徊", hazard.description)
        # Answered again as passing: the finding goes with the old answer, and
        # the hazard nobody confirmed is withdrawn (its number stays on the ledger).
        services.answer(self.round, self.items[1], gate, passed=True)
        self.assertFalse(Finding.objects.exists())
        self.assertEqual(Answer.objects.count(), 1)
        hazard.refresh_from_db()
        self.assertEqual(hazard.state, "rejected")
        # Failed once more: the same hazard is reported again, not a second one.
        services.answer(self.round, self.items[1], gate, passed=False, now=NOW)
        self.assertEqual(Hazard.objects.get().state, "reported")
        self.assertEqual(Finding.objects.get().hazard, hazard)

    def test_a_fail_corrected_on_the_spot_needs_a_photo_and_opens_no_finding(self):
        gate = self.checkpoints["s1"][0]
        services.scan(self.round, gate, now=NOW)
        with self.assertRaises(ValidationError):
            services.answer(self.round, self.items[0], gate, passed=False, corrected_on_spot=True)
        answer = services.answer(
            self.round,
            self.items[0],
            gate,
            passed=False,
            corrected_on_spot=True,
            photo=upload(jpeg()),
            now=NOW,
        )
        self.assertTrue(answer.corrected_on_spot)
        self.assertFalse(Finding.objects.exists())
        self.assertEqual(len(answer.photo_sha256), 64)
        self.assertEqual(answer.photo_flags, [])
        self.assertIsNotNone(answer.photo_taken_at)

    def test_an_item_that_may_not_be_corrected_on_the_spot_is_refused(self):
        gate = self.checkpoints["s1"][0]
        services.scan(self.round, gate, now=NOW)
        with self.assertRaises(ValidationError):
            services.answer(
                self.round,
                self.items[1],
                gate,
                passed=False,
                corrected_on_spot=True,
                photo=upload(jpeg()),
            )
        self.assertFalse(Answer.objects.exists())

    def photo_answer(self, data, checkpoint=0):
        point = self.checkpoints["s1"][checkpoint]
        services.scan(self.round, point, now=NOW)
        return services.answer(
            self.round,
            self.items[0],
            point,
            passed=False,
            corrected_on_spot=True,
            photo=upload(data),
            now=NOW,
        )

    def test_an_old_photo_is_flagged_not_refused(self):
        answer = self.photo_answer(jpeg(taken_at="2026:11:20 07:00:00"))
        self.assertEqual(answer.photo_flags, ["old"])
        self.assertTrue(answer.pk)

    def test_a_photo_far_from_the_school_is_flagged(self):
        far = {**GPS_BLOCK, 2: (39.0, 54.0, 0.0), 4: (116.0, 23.0, 0.0)}  # Beijing
        self.assertEqual(self.photo_answer(jpeg(gps=far)).photo_flags, ["far"])

    def test_distance_is_not_judged_for_a_school_without_coordinates(self):
        School.objects.filter(pk=self.s1.pk).update(latitude=None, longitude=None)
        self.round.school.refresh_from_db()
        far = {**GPS_BLOCK, 2: (39.0, 54.0, 0.0), 4: (116.0, 23.0, 0.0)}
        self.assertEqual(self.photo_answer(jpeg(gps=far)).photo_flags, [])

    def test_a_photo_used_before_is_flagged(self):
        data = jpeg()
        self.assertEqual(self.photo_answer(data, 0).photo_flags, [])
        self.assertEqual(self.photo_answer(data, 1).photo_flags, ["reused"])

    def test_one_open_round_per_guard_and_school(self):
        with self.assertRaises(ValidationError):
            services.start_round(self.guard1, self.s1, self.rule)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Round.objects.create(
                school=self.s1,
                rule=self.rule,
                version=self.version,
                inspector=self.guard1,
                started_at=NOW,
            )
        # A colleague starts their own.
        services.start_round(self.guard1b, self.s1, self.rule)


class QRTokenTests(RoundsWorldTestCase):
    def test_a_token_names_its_checkpoint_and_school(self):
        gate = self.checkpoints["s1"][0]
        self.assertEqual(qrcodes.read_token(qrcodes.token_for(gate)), (gate.pk, self.s1.pk))

    def test_an_edited_or_foreign_token_is_refused(self):
        gate, other = self.checkpoints["s1"][0], self.checkpoints["s2"][0]
        token = qrcodes.token_for(gate)
        self.assertIsNone(
            qrcodes.read_token(token.replace(token[2], "x" if token[2] != "x" else "y"))
        )
        # The same value signed without the salt (as another feature would) does not pass.
        self.assertIsNone(qrcodes.read_token(signing.dumps([other.pk, other.school_id])))
        self.assertIsNone(qrcodes.read_token("nonsense"))

    def test_the_picture_is_an_svg_without_inline_style(self):
        svg = qrcodes.qr_svg("https://example.org/inspections/scan/x/")
        self.assertTrue(svg.startswith("<svg"))
        self.assertNotIn("style=", svg)


class GuardScopeTests(RoundsWorldTestCase):
    def test_a_guard_sees_the_schools_checkpoints_and_own_rounds_only(self):
        mine = services.start_round(self.guard1, self.s1, self.rule, now=NOW)
        colleague = services.start_round(self.guard1b, self.s1, self.rule, now=NOW)
        self.assertEqual(list(Round.objects.for_user(self.guard1)), [mine])
        self.assertEqual(list(Round.objects.for_user(self.guard1, "change")), [mine])
        self.assertEqual(set(Checkpoint.objects.for_user(self.guard1)), set(self.checkpoints["s1"]))
        self.assertFalse(Checkpoint.objects.for_user(self.guard1, "change").exists())
        # School staff see both guards' rounds.
        self.assertEqual(set(Round.objects.for_user(self.principal1)), {mine, colleague})
        self.assertEqual(set(Round.objects.for_user(self.guard2)), set())

    def test_guards_are_granted_only_what_their_rounds_need(self):
        # Every model that names the guard role in its access, and nothing else.
        granting = {
            model._meta.label
            for model in apps.get_models()
            if any(Role.GUARD in roles for roles in getattr(model, "access", {}).values())
        }
        self.assertEqual(
            granting,
            {
                "inspections.ChecklistTemplate",
                "inspections.ChecklistVersion",
                "inspections.ChecklistItem",
                "inspections.Checkpoint",
                "inspections.InspectionRule",
                "inspections.Round",
                "inspections.Scan",
                "inspections.Answer",
                "inspections.Finding",
            },
        )
        self.assertFalse(School.objects.for_user(self.guard1).exists())
        for label in ("posts.Member", "posts.Post", "posts.DutyLog", "posts.Shift"):
            with self.subTest(model=label):
                self.assertFalse(apps.get_model(label).objects.for_user(self.guard1).exists())
