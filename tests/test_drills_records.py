"""Running a drill: the stopwatch, class headcounts through a shared link, sign-off, scope."""

import contextlib
from unittest import mock

import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.scope import OutOfScope
from drills import services
from drills.models import ClassHeadcount, Drill, TrainingSession
from schools.models import ObligationCompletion
from schools.obligations import due_windows
from tests.drills_world import DAY, DrillWorldTestCase
from tests.obligations_world import at


class StopwatchTests(DrillWorldTestCase):
    def test_the_server_times_the_drill_from_signal_to_all_clear(self):
        drill = self.drill()
        self.assertEqual(drill.target_seconds, 180)  # a primary school's default
        with time_machine.travel(at(DAY, 10), tick=False):
            services.start_drill(self.officer1, drill)
        with time_machine.travel(at(DAY, 10, 2), tick=False):
            services.record_all_clear(self.officer1, drill)
        drill.refresh_from_db()
        self.assertEqual((drill.status, drill.started_at), ("held", at(DAY, 10)))
        self.assertEqual((drill.evacuation_seconds, drill.met_target), (120, True))

    def test_a_secondary_school_aims_at_two_minutes(self):
        self.s2.school_type = "junior_secondary"
        self.s2.save()
        self.assertEqual(self.drill(self.s2).target_seconds, 120)

    def test_a_second_press_of_a_button_changes_nothing(self):
        drill = self.drill()
        with time_machine.travel(at(DAY, 10), tick=False):
            services.start_drill(self.officer1, drill)
        with time_machine.travel(at(DAY, 10, 1), tick=False), self.assertRaises(ValidationError):
            services.start_drill(self.officer1, Drill.objects.get(pk=drill.pk))
        self.assertEqual(Drill.objects.get(pk=drill.pk).started_at, at(DAY, 10))

    def test_a_drill_cannot_be_signed_off_before_the_all_clear(self):
        drill = self.drill()
        services.start_drill(self.officer1, drill)
        with self.assertRaises(ValidationError):
            services.sign_off(self.principal1, drill)
        self.assertFalse(ObligationCompletion.objects.exists())

    def test_problems_are_kept_as_lines_on_the_drill(self):
        drill = self.held_drill()
        services.record_problems(self.officer1, drill, "  东侧楼梯出口堵塞 \n\n警报声三楼听不清\n")
        self.assertEqual(
            Drill.objects.get(pk=drill.pk).problems_found, "东侧楼梯出口堵塞\n警报声三楼听不清"
        )

    def test_the_police_arrive_only_in_alarm_drills(self):
        drill = self.held_drill()
        drill.police_arrived_at = drill.started_at
        with self.assertRaises(ValidationError):
            drill.full_clean()
        drill.drill_type = "one_key_alarm"
        drill.full_clean()


class HeadcountTests(DrillWorldTestCase):
    @contextlib.contextmanager
    def assertRefused(self, code):
        with self.assertRaises(ValidationError) as caught:
            yield
        self.assertEqual(caught.exception.code, code)

    def setUp(self):
        self.running = self.drill()
        services.start_drill(self.officer1, self.running)

    def test_a_resent_report_is_one_row_and_a_correction_replaces_it(self):
        # One query: an insert that updates the class's row on conflict.
        with self.assertNumQueries(1):
            services.record_headcount(self.running, "三年级(2)班", "李老师", 42, 40)
        services.record_headcount(self.running, " 三年级(2)班 ", "李老师", 42, 40)
        services.record_headcount(self.running, "三年级(2)班", "李老师", 42, 42)
        [row] = ClassHeadcount.objects.filter(drill=self.running)
        self.assertEqual((row.expected, row.arrived, row.missing), (42, 42, 0))

    def test_totals_add_up_the_classes(self):
        services.record_headcount(self.running, "一(1)班", "张老师", 40, 38)
        services.record_headcount(self.running, "一(2)班", "王老师", 41, 41)
        services.record_headcount(self.running, "一(1)班", "张老师", 40, 39)
        self.assertEqual(
            ClassHeadcount.objects.filter(drill=self.running).totals(),
            {"classes": 2, "expected": 81, "arrived": 80, "missing": 1},
        )

    def test_a_class_is_counted_once_whatever_the_race(self):
        services.record_headcount(self.running, "一(1)班", "张老师", 40, 38)
        with self.assertRaises(IntegrityError), transaction.atomic():
            ClassHeadcount.objects.create(
                drill=self.running,
                class_name="一(1)班",
                teacher_name="张老师",
                expected=40,
                arrived=40,
                missing=0,
                reported_at=at(DAY, 10),
            )

    def test_impossible_counts_are_refused(self):
        with self.assertRaises(ValidationError):
            services.record_headcount(self.running, "一(1)班", "张老师", 40, 41)
        with self.assertRaises(ValidationError):
            services.record_headcount(self.running, " ", "张老师", 40, 40)
        self.assertFalse(ClassHeadcount.objects.exists())

    def test_the_shared_link_reports_for_its_drill_while_it_runs(self):
        token = services.headcount_token(self.running)
        self.assertEqual(services.drill_for_token(token), self.running)
        with self.assertRefused("invalid"):
            services.drill_for_token(token[:-2] + "xx")
        with (
            mock.patch.object(services, "HEADCOUNT_LINK_SECONDS", -1),
            self.assertRefused("expired"),
        ):
            services.drill_for_token(token)
        services.record_all_clear(self.officer1, self.running)
        self.assertEqual(services.drill_for_token(token), self.running)
        services.sign_off(self.principal1, self.running)
        with self.assertRefused("closed"):
            services.drill_for_token(token)

    def test_a_new_secret_revokes_the_links_given_out(self):
        token = services.headcount_token(self.running)
        Drill.objects.filter(pk=self.running.pk).update(headcount_secret="renewed")
        with self.assertRefused("invalid"):
            services.drill_for_token(token)

    def test_a_planned_drill_takes_no_headcounts(self):
        with self.assertRefused("closed"):
            services.drill_for_token(services.headcount_token(self.drill()))


class ScopeTests(DrillWorldTestCase):
    def test_who_reads_the_drills_of_a_school(self):
        drill = self.held_drill()
        services.record_headcount(drill, "一(1)班", "张老师", 40, 40)
        for persona, sees in {
            "admin": True,
            "city": True,
            "district1": True,
            "district2": False,
            "principal1": True,
            "officer1": True,
            "principal2": False,
            "police1": True,
            "police2": False,
            "outsider": False,
        }.items():
            with self.subTest(persona=persona):
                user = self.users[persona]
                self.assertEqual(Drill.objects.for_user(user).filter(pk=drill.pk).exists(), sees)
                self.assertEqual(
                    ClassHeadcount.objects.for_user(user).filter(drill=drill).exists(), sees
                )

    def test_only_the_schools_staff_write_its_drills(self):
        drill = self.drill()
        for persona, writes in {
            "principal1": True,
            "officer1": True,
            "police1": False,
            "district1": False,
            "city": False,
            "principal2": False,
        }.items():
            with self.subTest(persona=persona):
                changeable = Drill.objects.for_user(self.users[persona], "change")
                self.assertEqual(changeable.filter(pk=drill.pk).exists(), writes)
        for persona in ("police1", "district1", "principal2"):
            with self.subTest(persona=persona), self.assertRaises(OutOfScope):
                services.start_drill(self.users[persona], drill)
        self.assertEqual(Drill.objects.get(pk=drill.pk).status, "planned")

    def test_only_the_principal_signs_off(self):
        drill = self.held_drill()
        for persona in ("officer1", "principal2", "district1"):
            with self.subTest(persona=persona), self.assertRaises(OutOfScope):
                services.sign_off(self.users[persona], drill)
        self.assertEqual(Drill.objects.get(pk=drill.pk).status, "held")
        self.assertFalse(ObligationCompletion.objects.exists())
        services.sign_off(self.principal1, drill)
        drill.refresh_from_db()
        self.assertEqual((drill.status, drill.signed_off_by), ("closed", self.principal1))

    def test_the_query_count_of_signing_off(self):
        drill = self.held_drill()
        principal = type(self.principal1).objects.get(pk=self.principal1.pk)
        # 1 claim the drill (a conditional update)
        # 2 the principal's role assignments (the scope, once per user object)
        # 3 the scope check  4 the drill with its school
        # 5-8 requirements_for: the school's facts, the city's drill rules,
        #     their overrides, the requirements
        # record_completion for the month (9-19) and the term (20-32): the
        #   school's facts, the rule's overrides, [the terms (2), for the term
        #   only,] the school days (3), then insert the completion, read it
        #   back, insert the window if new, lock it, count its completions,
        #   save it
        # 33-40 the savepoints of the nested transactions.
        with self.assertNumQueries(40):
            services.sign_off(principal, drill)


class TrainingTests(DrillWorldTestCase):
    def test_a_guard_training_counts_for_the_term(self):
        session = TrainingSession(
            school=self.s1,
            audience="guards",
            held_on=DAY,
            topic="防暴器械使用",
            trainer="市中派出所 刘警官",
            attendees_count=6,
            hours=2,
        )
        services.record_training(self.officer1, session)
        [window] = [
            w
            for w in due_windows([self.s1], DAY, DAY, domain="drills", now=at(DAY, 18))
            if w.rule.code == "guard-training"
        ]
        self.assertEqual((window.status, window.completions), ("done", 1))

    def test_a_training_outside_the_users_school_is_refused(self):
        session = TrainingSession(
            school=self.s2,
            audience="guards",
            held_on=DAY,
            topic="消防器材",
            trainer="消防大队",
            attendees_count=4,
            hours=1,
        )
        with self.assertRaises(OutOfScope):
            services.record_training(self.officer1, session)
        self.assertFalse(TrainingSession.objects.exists())
        self.assertFalse(ObligationCompletion.objects.exists())


class AdminTests(DrillWorldTestCase):
    def test_the_admin_lists_and_shows_the_drill_models(self):
        drill = self.held_drill()
        services.record_headcount(drill, "一(1)班", "张老师", 40, 40)
        self.users["admin"].is_staff = True
        self.users["admin"].is_superuser = True
        self.users["admin"].save()
        self.client.force_login(self.users["admin"])
        for name in ("drillrequirement", "emergencyplan", "drill", "trainingsession"):
            with self.subTest(name=name):
                response = self.client.get(f"/admin/drills/{name}/")
                self.assertEqual(response.status_code, 200)
        response = self.client.get(f"/admin/drills/drill/{drill.pk}/change/")
        self.assertContains(response, "一(1)班")
