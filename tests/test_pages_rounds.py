"""The guard's round pages and the QR sheet: who may open them, what they show."""

import time_machine
from django.urls import reverse

from inspections import qrcodes, services
from inspections.models import Answer, Finding, Round, Scan
from tests.photos import jpeg, temporary_media, upload
from tests.rounds_world import NOW, RoundsWorldTestCase


class InspectionPageTestCase(RoundsWorldTestCase):
    def login(self, persona):
        # A fresh user object per login, so no scope is cached across personas.
        self.client.force_login(self.users[persona].__class__.objects.get(username=persona))

    def scan_url(self, key, n):
        return reverse("inspections:scan", args=[qrcodes.token_for(self.checkpoints[key][n])])


@time_machine.travel(NOW, tick=False)
class RoundPageTests(InspectionPageTestCase):
    def setUp(self):
        media = temporary_media(self)
        media.enable()
        self.addCleanup(media.disable)

    def test_a_guard_scans_starts_answers_and_finishes(self):
        self.login("guard1")
        response = self.client.get(self.scan_url("s1", 0))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "patrol")
        response = self.client.post(
            reverse("inspections:start", args=[qrcodes.token_for(self.checkpoints["s1"][0])]),
            {"rule": self.rule.pk},
        )
        round_ = Round.objects.get(inspector=self.guard1)
        gate = self.checkpoints["s1"][0]
        self.assertRedirects(response, reverse("inspections:checkpoint", args=[round_.pk, gate.pk]))
        self.assertEqual(Scan.objects.get(round=round_).scanned_at, NOW)
        page = self.client.get(response.url)
        self.assertContains(page, "门窗锁具完好")
        self.assertContains(page, reverse("inspections:all-fine", args=[round_.pk]))
        self.client.post(reverse("inspections:all-fine", args=[round_.pk]), {"checkpoint": gate.pk})
        self.assertEqual(Answer.objects.filter(round=round_, passed=True).count(), 2)
        # The next checkpoint: scanning continues the open round.
        canteen = self.checkpoints["s1"][2]
        response = self.client.get(self.scan_url("s1", 2))
        self.assertRedirects(
            response, reverse("inspections:checkpoint", args=[round_.pk, canteen.pk])
        )
        response = self.client.post(
            reverse("inspections:answer", args=[round_.pk]),
            {
                "item": self.items[0].pk,
                "checkpoint": canteen.pk,
                "passed": "0",
                "text": "后门锁坏",
                "corrected_on_spot": "on",
                "photo": upload(jpeg(taken_at="2026:11:01 07:00:00")),
            },
        )
        self.assertEqual(response.status_code, 302)
        fixed = Answer.objects.get(round=round_, checkpoint=canteen, item=self.items[0])
        self.assertTrue(fixed.corrected_on_spot)
        self.assertEqual(fixed.photo_flags, ["old"])
        self.client.post(
            reverse("inspections:answer", args=[round_.pk]),
            {"item": self.items[1].pk, "checkpoint": canteen.pk, "passed": "0"},
        )
        self.assertEqual(Finding.objects.filter(round=round_).count(), 1)
        response = self.client.post(reverse("inspections:finish", args=[round_.pk]), follow=True)
        self.assertEqual(response.status_code, 200)
        round_.refresh_from_db()
        self.assertEqual(round_.status, "incomplete")
        self.assertContains(response, "配电房")  # named among the skipped
        self.assertContains(response, "photo-flag")
        self.assertContains(response, "后门锁坏")

    def test_a_bad_or_foreign_code_is_a_404(self):
        self.login("guard1")
        self.assertEqual(
            self.client.get(reverse("inspections:scan", args=["x:y"])).status_code, 404
        )
        self.assertEqual(self.client.get(self.scan_url("s2", 0)).status_code, 404)

    def test_a_refused_answer_is_a_message_not_an_error_page(self):
        round_ = services.start_round(self.guard1, self.s1, self.rule, now=NOW)
        self.login("guard1")
        response = self.client.post(
            reverse("inspections:answer", args=[round_.pk]),
            {"item": self.items[0].pk, "checkpoint": self.checkpoints["s1"][0].pk, "passed": "1"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Answer.objects.exists())
        self.assertContains(response, "alert")

    def test_who_may_see_and_run_a_round(self):
        round_ = services.start_round(self.guard1, self.s1, self.rule, now=NOW)
        services.scan(round_, self.checkpoints["s1"][0], now=NOW)
        record = reverse("inspections:round", args=[round_.pk])
        point = reverse("inspections:checkpoint", args=[round_.pk, self.checkpoints["s1"][0].pk])
        finish = reverse("inspections:finish", args=[round_.pk])
        all_fine = reverse("inspections:all-fine", args=[round_.pk])
        answer = reverse("inspections:answer", args=[round_.pk])
        cases = {
            # persona: (record, checkpoint page and writes)
            "guard1": (200, 200),
            "principal1": (200, 200),
            "officer1": (200, 200),
            "district1": (200, 403),
            "police1": (200, 403),
            "guard1b": (404, 404),
            "guard2": (404, 404),
            "principal2": (404, 404),
            "outsider": (404, 404),
        }
        for persona, (sees, runs) in cases.items():
            with self.subTest(persona=persona):
                self.login(persona)
                self.assertEqual(self.client.get(record).status_code, sees)
                self.assertEqual(self.client.get(point).status_code, runs)
                for url in (all_fine, answer):
                    status = self.client.post(url, {"checkpoint": self.checkpoints["s1"][0].pk})
                    self.assertEqual(status.status_code, 302 if runs == 200 else runs)
                if runs != 200:
                    self.assertEqual(self.client.post(finish).status_code, runs)
        self.login("guard1")
        self.client.post(finish)
        round_.refresh_from_db()
        self.assertEqual(round_.status, "incomplete")
        # Nobody signed in: to the sign-in page, for every round page.
        self.client.logout()
        for url in (record, point, self.scan_url("s1", 0)):
            self.assertEqual(self.client.get(url).status_code, 302)

    def test_the_guards_home_shows_their_rounds(self):
        round_ = services.start_round(self.guard1, self.s1, self.rule, now=NOW)
        self.login("guard1")
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reverse("inspections:round", args=[round_.pk]))


class QRSheetTests(InspectionPageTestCase):
    def test_those_who_place_the_checkpoints_print_their_codes(self):
        url = reverse("inspections:qr-sheet", args=[self.s1.pk])
        cases = {
            "principal1": 200,
            "officer1": 200,
            "district1": 403,
            "city": 403,
            "admin": 200,
            "police1": 403,
            "guard1": 404,
            "principal2": 404,
            "outsider": 404,
        }
        for persona, expected in cases.items():
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(url)
                self.assertEqual(response.status_code, expected)
                if expected == 200:
                    self.assertEqual(response.content.decode().count("<svg"), 5)
                    self.assertContains(response, "实验室")
                    self.assertNotContains(response, "style=")
