"""The permission matrix: every route and every viewset action declares where its access is tested.

The router endpoints' list, detail and write methods join the shared permission
tests (tests/permissions.py). Their custom actions and the endpoints outside
the routers are tested here, for every persona, the multi-role ones included:
at a school a persona reaches it may do what one of its roles there may do; an
object of a school it does not reach is a 404 (or, named in a body or a query,
a 400). The HTML pages point to their permission tests in the page test files.
A completeness test fails when a route or an action has no declaration.
"""

import datetime
import importlib

from django.test import SimpleTestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import viewsets

from campussafety.api.viewsets import ScopedModelViewSet
from posts.models import DutyLog, DutyLogRevision, PostPeriod, Shift
from posts.rosters import generate_shifts
from tests import (
    test_api_drills,
    test_api_equipment,
    test_api_equipment_checks,
    test_api_hazards,
    test_api_inspections,
    test_api_organisation,
    test_api_posts_permissions,
    test_coordination_api,
    test_coordination_cadence,
    test_drills_plans,
    test_guard_rules,
)
from tests.permissions import ALL_PERSONAS, ActionChecks
from tests.posts_world import TODAY, PostsWorldTestCase, make_member

EXTINGUISHER_API = "tests/test_api_equipment_extinguishers.py::ExtinguisherCheckAPITests"
SCHOOL_WRITERS = {"admin", "city", "district1", "district2", "principal1", "principal2", "officer1"}
VERIFIERS = {"admin", "district1", "district2", "police1", "police2"}
COUNTERSIGNERS = {"admin", "police1", "police2"}
TUESDAY = TODAY + datetime.timedelta(days=1)
RANGE = {"start": TODAY.isoformat(), "end": (TODAY + datetime.timedelta(days=4)).isoformat()}


class ActionMatrixTests(ActionChecks, PostsWorldTestCase):
    """Custom actions and non-router endpoints, persona by persona and school by school."""

    multi_role_personas = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY + datetime.timedelta(days=4))
        cls.logs = {}
        for key in ("s1", "s2", "s3"):
            school = getattr(cls, key)
            member = cls.members[key]["guard_expired"]
            # An afternoon off the weekly pattern, to swap with a morning shift.
            Shift.objects.create(
                school=school,
                post_period=cls.posts[key][2],
                date=TUESDAY,
                member=member,
                origin="manual",
            )
            cls.members[key]["pending"] = make_member(f"{key}待核验", school, pending=True)
            log = DutyLog.objects.create(
                school=school, post_period=cls.posts[key][1], date=TODAY, period="morning"
            )
            DutyLogRevision.objects.create(log=log, reason=f"{key} 更正", before={})
            cls.logs[key] = log

    def shift(self, key, role, period=1, day=TUESDAY):
        return Shift.objects.get(
            post_period=self.posts[key][period], date=day, member=self.member(key, role)
        )

    def test_member_verify(self):
        self.check(
            "verify",
            lambda client, key: client.post(
                reverse("member-verify", args=[self.member(key, "pending").pk]),
                {"decision": "verified"},
                format="json",
            ),
            VERIFIERS,
        )

    def test_shift_replace(self):
        self.check(
            "replace",
            lambda client, key: client.post(
                reverse("shift-replace", args=[self.shift(key, "community").pk]),
                {"member": self.member(key, "guard_expired").pk},
                format="json",
            ),
            SCHOOL_WRITERS,
        )

    def test_shift_swap(self):
        self.check(
            "swap",
            lambda client, key: client.post(
                reverse("shift-swap", args=[self.shift(key, "guard_b").pk]),
                {"other_shift": self.shift(key, "guard_expired", period=2).pk},
                format="json",
            ),
            SCHOOL_WRITERS,
        )

    def test_shift_generate(self):
        # A post the persona cannot see is named in the body: 400. One it sees
        # but whose roster it may not change (police) is refused by the write check.
        self.check(
            "generate",
            lambda client, key: client.post(
                reverse("shift-generate"), {"post": self.post(key).pk, **RANGE}, format="json"
            ),
            SCHOOL_WRITERS,
            foreign_status=400,
        )

    def test_shift_problems(self):
        self.check(
            "problems",
            lambda client, key: client.get(
                reverse("shift-problems"), {"school": getattr(self, key).pk, **RANGE}
            ),
            set(ALL_PERSONAS),
        )

    def test_dutylog_countersign(self):
        self.check(
            "countersign",
            lambda client, key: client.post(
                reverse("dutylog-countersign", args=[self.logs[key].pk])
            ),
            COUNTERSIGNERS,
        )

    def test_dutylog_countersign_day(self):
        # The logs are named in the body: one the persona cannot see is a 400.
        self.check(
            "countersign-day",
            lambda client, key: client.post(
                reverse("dutylog-countersign-day"),
                {"date": TODAY.isoformat(), "ids": [self.logs[key].pk]},
                format="json",
            ),
            COUNTERSIGNERS,
            foreign_status=400,
        )

    def test_dutylog_return(self):
        self.check(
            "return",
            lambda client, key: client.post(
                reverse("dutylog-return", args=[self.logs[key].pk]),
                {"reason": "缺少民警签到"},
                format="json",
            ),
            COUNTERSIGNERS,
        )

    def test_dutylog_history(self):
        def send(client, key):
            response = client.get(reverse("dutylog-history", args=[self.logs[key].pk]))
            if response.status_code == 200:
                self.assertEqual([row["reason"] for row in response.json()], [f"{key} 更正"])
            return response

        self.check("history", send, set(ALL_PERSONAS))

    def report(self, name, **extra):
        def send(client, key):
            response = client.get(reverse(name), {"school": getattr(self, key).pk, **RANGE})
            if response.status_code == 200:
                rows = response.json()["results"]
                schools = {row.get("school", row.get("key", row.get("id"))) for row in rows}
                self.assertLessEqual(schools, {getattr(self, key).pk, str(getattr(self, key).pk)})
            return response

        self.check(name, send, set(ALL_PERSONAS), foreign_status=400)

    def test_coverage(self):
        self.report("coverage")

    def test_coverage_missed(self):
        self.report("coverage-missed")

    def test_school_days(self):
        self.report("school-days")


NOTIFICATIONS = "tests/test_reminders_pages.py::NotificationAPITests"
DRILLS_READ = "tests/test_api_drills.py::RequirementAndHeadcountReadTests"
# Each action's own test there is named after it (test_start, test_sign_off...).
DRILL_ACTIONS = "tests/test_api_drills.py::DrillActionTests"
DRILL_PAGES = "tests/test_pages_drills.py::"
REQUIREMENT_PAGES = "tests/test_pages_drills_requirements.py::"
COORDINATION_PAGES = "tests/test_coordination_pages.py::"
# Referred to through its module: a class imported here would run here a second time.
CoordinationActions = test_coordination_api.ActionMatrixTests
CoordinationCadence = test_coordination_cadence.CadenceAPITests
CADENCE_PAGES = "tests/test_coordination_cadence.py::CadencePageTests"

# Every route, by URL name: the test of who may use it.
MATRIX = {
    # The shared permission tests (tests/permissions.py): list, detail and writes.
    **{
        f"{cls.basename}-{kind}": cls
        for module in (
            test_api_organisation,
            test_api_posts_permissions,
            test_api_inspections,
            test_api_drills,
            test_api_hazards,
            test_api_equipment,
            test_drills_plans,
            test_api_equipment_checks,
            test_coordination_api,
            test_guard_rules,
        )
        for cls in vars(module).values()
        if isinstance(cls, type) and getattr(cls, "basename", None)
        for kind in ("list", "detail")
    },
    "member-verify": ActionMatrixTests.test_member_verify,
    "shift-replace": ActionMatrixTests.test_shift_replace,
    "shift-swap": ActionMatrixTests.test_shift_swap,
    "shift-generate": ActionMatrixTests.test_shift_generate,
    "shift-problems": ActionMatrixTests.test_shift_problems,
    "dutylog-countersign": ActionMatrixTests.test_dutylog_countersign,
    "dutylog-countersign-day": ActionMatrixTests.test_dutylog_countersign_day,
    "dutylog-return": ActionMatrixTests.test_dutylog_return,
    "dutylog-history": ActionMatrixTests.test_dutylog_history,
    "coverage": ActionMatrixTests.test_coverage,
    "coverage-missed": ActionMatrixTests.test_coverage_missed,
    "school-days": ActionMatrixTests.test_school_days,
    # The district-dashboard API (dashboards/api): persona by persona, school by school.
    "indicators": "tests/test_dashboards_api.py::DashboardAPITests",
    "indicator-values": "tests/test_dashboards_api.py::DashboardAPITests",
    # Inspections: the rules are read-only; the round's actions and the reports
    # persona by persona, guards included.
    "inspectionrule-list": "tests/test_api_inspections.py::InspectionRuleAPITests",
    "inspectionrule-detail": "tests/test_api_inspections.py::InspectionRuleAPITests",
    "round-scan": "tests/test_api_inspections.py::RoundActionTests",
    "round-answer": "tests/test_api_inspections.py::RoundActionTests",
    "round-all-fine": "tests/test_api_inspections.py::RoundActionTests",
    "round-finish": "tests/test_api_inspections.py::RoundActionTests",
    "inspection-windows": "tests/test_api_inspections.py::RoundActionTests",
    "inspection-completion": "tests/test_api_inspections.py::RoundActionTests",
    # The hazard ledger: each transition persona by persona (HazardActionTests
    # has a test per action); the history, extensions and supervision read by
    # each persona's schools only.
    **dict.fromkeys(
        (
            "hazard-confirm",
            "hazard-reject",
            "hazard-merge",
            "hazard-assign",
            "hazard-submit",
            "hazard-return",
            "hazard-verify",
            "hazard-sign-off",
            "hazard-close",
            "hazard-extend",
            "hazard-supervise",
            "deadlineextension-decide",
            "supervisionorder-report",
            "supervisionorder-lift",
        ),
        "tests/test_api_hazards.py::HazardActionTests",
    ),
    **{
        f"{basename}-{kind}": "tests/test_api_hazards.py::ReadEndpointTests"
        for basename in (
            "hazardevent",
            "deadlineextension",
            "supervisionorder",
            "supervisionreport",
        )
        for kind in ("list", "detail")
    },
    # Equipment checks: missing pieces are read-only but for `resolve`; the
    # alarm and video figures persona by persona.
    "kitshortage-list": "tests/test_api_equipment_checks.py::KitShortageAPITests",
    "kitshortage-detail": "tests/test_api_equipment_checks.py::KitShortageAPITests",
    "kitshortage-resolve": "tests/test_api_equipment_checks.py::KitShortageAPITests",
    "alarm-and-video": "tests/test_api_equipment_checks.py::AlarmAndVideoAPITests",
    "extinguishercheck-list": EXTINGUISHER_API,
    "extinguishercheck-detail": EXTINGUISHER_API,
    "extinguishercheck-answer": EXTINGUISHER_API,
    "extinguishercheck-finish": EXTINGUISHER_API,
    # Equipment check pages (equipment/urls_checks.py).
    "equipment-checks:alarm-video": "tests/test_equipment_checks.py::CheckPageTests",
    "equipment-checks:school": "tests/test_equipment_checks.py::CheckPageTests",
    "equipment-checks:service-new": "tests/test_equipment_checks.py::CheckPageTests",
    "equipment-checks:alarm-test-new": "tests/test_equipment_checks.py::CheckPageTests",
    "equipment-checks:video-check-new": "tests/test_equipment_checks.py::CheckPageTests",
    "equipment-checks:confirm-kit": "tests/test_equipment_handover.py::DutyLogSlotTests",
    "equipment-checks:resolve": "tests/test_equipment_handover.py::ShortageLifecycleTests",
    "equipment-checks:extinguishers": (
        "tests/test_equipment_extinguishers.py::ExtinguisherPageTests"
    ),
    "equipment-checks:extinguishers-start": (
        "tests/test_equipment_extinguishers.py::ExtinguisherPageTests"
    ),
    "equipment-checks:extinguisher-answer": (
        "tests/test_equipment_extinguishers.py::ExtinguisherPageTests"
    ),
    "equipment-checks:extinguishers-finish": (
        "tests/test_equipment_extinguishers.py::ExtinguisherPageTests"
    ),
    "inspections:scan": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:start": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:round": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:checkpoint": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:all-fine": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:answer": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:finish": "tests/test_pages_rounds.py::RoundPageTests",
    "inspections:qr-sheet": "tests/test_pages_rounds.py::QRSheetTests",
    "inspections:guards": "tests/test_pages_guards.py::GuardAccountTests",
    "inspections:guard-action": "tests/test_pages_guards.py::GuardAccountTests",
    # Drills: requirements read by all, their actions and reports persona by persona; the
    # shared headcount link needs no account (its token names the drill).
    "drillrequirement-list": DRILLS_READ,
    "drillrequirement-detail": DRILLS_READ,
    "classheadcount-list": DRILLS_READ,
    "classheadcount-detail": DRILLS_READ,
    **{
        f"drill-{name}": DRILL_ACTIONS
        for name in (
            "start",
            "all-clear",
            "problems",
            "hazard",
            "evaluate",
            "sign-off",
            "prenotify",
            "acknowledge",
            "share",
            "live",
            "compliance",
            "windows",
        )
    },
    "drill-headcount-report": "tests/test_api_drills.py::HeadcountLinkTests",
    "drills:calendar-choice": DRILL_PAGES + "CalendarPageTests",
    "drills:calendar": DRILL_PAGES + "CalendarPageTests",
    "drills:plan": DRILL_PAGES + "PlanPageTests",
    "drills:plan-edit": DRILL_PAGES + "PlanPageTests",
    "drills:live": DRILL_PAGES + "LivePageTests",
    "drills:start": DRILL_PAGES + "LivePageTests",
    "drills:all-clear": DRILL_PAGES + "LivePageTests",
    "drills:prenotify": DRILL_PAGES + "PoliceTests",
    "drills:acknowledge": DRILL_PAGES + "PoliceTests",
    "drills:headcount": DRILL_PAGES + "HeadcountPageTests",
    "drills:record": DRILL_PAGES + "RecordPageTests",
    "drills:problems": DRILL_PAGES + "RecordPageTests",
    "drills:hazard": DRILL_PAGES + "RecordPageTests",
    "drills:sign-off": DRILL_PAGES + "RecordPageTests",
    "drills:compliance": DRILL_PAGES + "CompliancePageTests",
    # Drill requirements and their overrides: read by every role, kept by city staff,
    # persona by persona (and school by school for the overrides).
    "drills:requirements": REQUIREMENT_PAGES + "RequirementListTests",
    "drills:requirement": REQUIREMENT_PAGES + "RequirementDetailTests",
    "drills:requirement-add": REQUIREMENT_PAGES + "RequirementWriteTests",
    "drills:requirement-edit": REQUIREMENT_PAGES + "RequirementWriteTests",
    "drills:requirement-active": REQUIREMENT_PAGES + "RequirementWriteTests",
    "drills:override-add": REQUIREMENT_PAGES + "OverridePageTests",
    "drills:override-edit": REQUIREMENT_PAGES + "OverridePageTests",
    "drills:override-delete": REQUIREMENT_PAGES + "OverridePageTests",
    # Equipment: kit compliance persona by persona.
    "equipment-compliance": "tests/test_api_equipment.py::ComplianceTests",
    "equipment-import": "tests/test_equipment_imports.py::ImportAPITests",
    "equipment-export": "tests/test_equipment_imports.py::ImportAPITests",
    "equipment:board-choice": "tests/test_pages_equipment.py::BoardTests",
    "equipment:board": "tests/test_pages_equipment.py::BoardTests",
    "equipment:item": "tests/test_pages_equipment.py::ItemPageTests",
    "equipment:qr-tags": "tests/test_pages_equipment.py::QRSheetTests",
    "equipment:record": "tests/test_pages_equipment.py::RecordTests",
    # The hazard ledger's pages: a hazard and its moves persona by persona; the ledger,
    # registering, the bureaus' overview and the exports each by who may and may not.
    "inspections:hazard": "tests/test_pages_hazards.py::HazardPagePersonaTests",
    "inspections:hazard-move": "tests/test_pages_hazards.py::HazardPagePersonaTests",
    "inspections:hazards": "tests/test_pages_hazards.py::LedgerPageTests",
    "inspections:hazard-register": "tests/test_pages_hazards.py::RegisterPageTests",
    "inspections:hazard-overview": "tests/test_pages_hazards_bureau.py::OverviewTests",
    "inspections:hazard-supervised": "tests/test_hazards_exports.py::SupervisedReportTests",
    "inspections:hazard-ledger-school": "tests/test_hazards_exports.py::LedgerExportTests",
    "inspections:hazard-ledger-district": "tests/test_hazards_exports.py::LedgerExportTests",
    "equipment:location-search": "tests/test_pages_equipment.py::RecordTests",
    "equipment:compliance": "tests/test_pages_equipment.py::ComplianceTests",
    "equipment:due": "tests/test_pages_equipment.py::ComplianceTests",
    "equipment:import": "tests/test_equipment_imports.py::ImportPageTests",
    "equipment:export": "tests/test_equipment_imports.py::ImportPageTests",
    # Each user's own notifications, whatever their roles.
    "notification-list": NOTIFICATIONS,
    "notification-detail": NOTIFICATIONS,
    "notification-read": NOTIFICATIONS,
    "notification-read-all": NOTIFICATIONS,
    # Open to everyone by design.
    "api-token": "tests/test_api_schools.py::TokenTests",
    # Links only; each endpoint it lists is scoped on its own.
    "api-root": "tests/test_api_schools.py::ApiRootTests",
    "api-schema": "tests/test_api_schools.py::SchemaTests",
    "api-docs": "tests/test_api_schools.py::SchemaTests",
    "login": "tests/test_pages.py::AnonymousTests",
    "logout": "tests/test_pages.py::AnonymousTests",
    "set_language": "tests/test_i18n.py",
    "password_reset": "tests/test_auth_passwords.py::PasswordResetTests",
    "password_reset_done": "tests/test_auth_passwords.py::PasswordResetTests",
    "password_reset_confirm": "tests/test_auth_passwords.py::PasswordResetTests",
    "password_reset_complete": "tests/test_auth_passwords.py::PasswordResetTests",
    # Liveness for the load balancer: only each service's status, no data.
    "health": "tests/test_deployment.py::HealthEndpointTests",
    # Each user's own account and tokens, whatever their roles.
    "account": "tests/test_auth_tokens.py::OwnerRevokesTests",
    "account-revoke-token": "tests/test_auth_tokens.py::OwnerRevokesTests",
    "api-token-revoke": "tests/test_auth_tokens.py::OwnerRevokesTests",
    "password_change": "tests/test_auth_passwords.py::PasswordChangeTests",
    "password_change_done": "tests/test_auth_passwords.py::PasswordChangeTests",
    # Admins and city staff only.
    "reminders:schedule": "tests/test_reminders_schedule.py::SchedulePageTests",
    "reminders:schedule-edit": "tests/test_reminders_schedule.py::SchedulePageTests",
    # Photos: the owning object's scope, persona by persona.
    "media": "tests/test_media.py::WhoGetsWhatTests",
    # HTML pages: their own permission tests.
    "home": "tests/test_pages.py::HomePageTests",
    "schools:list": "tests/test_pages.py::SchoolListTests",
    "schools:detail": "tests/test_pages.py::SchoolDetailTests",
    "schools:search": "tests/test_pages_school_search.py::SchoolSearchTests",
    "schools:edit": "tests/test_pages.py::SchoolEditTests",
    "schools:gate-add": "tests/test_pages.py::GateTests",
    "schools:gate-delete": "tests/test_pages.py::GateTests",
    "schools:calendar": "tests/test_pages.py::CalendarTests",
    "schools:term-add": "tests/test_pages.py::CalendarTests",
    "schools:term-delete": "tests/test_pages.py::CalendarTests",
    "schools:exception-add": "tests/test_pages.py::CalendarTests",
    "schools:exception-delete": "tests/test_pages.py::CalendarTests",
    "posts:today": "tests/test_pages_posts_today.py::TodayTests",
    "posts:log-quick": "tests/test_pages_posts_today.py::TodayTests",
    "posts:log-all-due": "tests/test_pages_posts_today.py::LogAllDueTests",
    "posts:log-create": "tests/test_pages_posts_dutylogs.py::DutyLogFormTests",
    "posts:log-detail": "tests/test_pages_posts_dutylogs.py::DutyLogEditTests",
    "posts:log-edit": "tests/test_pages_posts_dutylogs.py::DutyLogEditTests",
    "posts:log-countersign": "tests/test_pages_posts_dutylogs.py::CountersignTests",
    "posts:log-return": "tests/test_pages_posts_dutylogs.py::ReturnTests",
    "posts:logs": "tests/test_pages_posts_dutylogs.py::DutyLogListTests",
    "posts:police": "tests/test_pages_posts_dutylogs.py::PoliceBoardTests",
    "posts:countersign-day": "tests/test_pages_posts_dutylogs.py::CountersignDayTests",
    "posts:roster": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:roster-print": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:roster-generate": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:shift-add": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:shift-remove": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:shift-replace": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:shift-swap": "tests/test_pages_posts_rosters.py::RosterPageTests",
    "posts:pattern": "tests/test_pages_posts_rosters.py::PatternPageTests",
    "posts:rule-add": "tests/test_pages_posts_rosters.py::PatternPageTests",
    "posts:rule-delete": "tests/test_pages_posts_rosters.py::PatternPageTests",
    "posts:members": "tests/test_pages_posts_members.py::MemberListTests",
    "posts:member-add": "tests/test_pages_posts_members.py::MemberRegistrationTests",
    "posts:member-edit": "tests/test_pages_posts_members.py::MemberRegistrationTests",
    "posts:member-detail": "tests/test_pages_posts_members.py::AssignmentTests",
    "posts:assignment-add": "tests/test_pages_posts_members.py::AssignmentTests",
    "posts:assignment-end": "tests/test_pages_posts_members.py::AssignmentTests",
    "posts:verify": "tests/test_pages_posts_members.py::VerificationTests",
    "posts:member-verify": "tests/test_pages_posts_members.py::VerificationTests",
    "posts:coverage": "tests/test_pages_posts_coverage.py::CoveragePageTests",
    "posts:missed": "tests/test_pages_posts_coverage.py::CoveragePageTests",
    "dashboards:today": "tests/test_pages_dashboards_today.py::TodayBoardTests",
    "dashboards:city": "tests/test_pages_dashboards.py::DashboardPageTests",
    "dashboards:district": "tests/test_pages_dashboards.py::DashboardPageTests",
    "dashboards:proof": "tests/test_pages_dashboards.py::DashboardPageTests",
    # Inspection pages (board, completion, excuses, checkpoints, checklists, exports).
    "inspections:board-choice": "tests/test_pages_inspections.py::BoardTests",
    "inspections:board": "tests/test_pages_inspections.py::BoardTests",
    "inspections:completion": "tests/test_pages_inspections.py::CompletionTests",
    "inspections:excuses": "tests/test_pages_inspections.py::ExcuseTests",
    "inspections:excuse-withdraw": "tests/test_pages_inspections.py::ExcuseTests",
    "inspections:checkpoints": "tests/test_pages_inspections_checklists.py::CheckpointTests",
    "inspections:checkpoint-add": "tests/test_pages_inspections_checklists.py::CheckpointTests",
    "inspections:checkpoint-edit": "tests/test_pages_inspections_checklists.py::CheckpointTests",
    "inspections:checkpoint-active": "tests/test_pages_inspections_checklists.py::CheckpointTests",
    "inspections:templates": "tests/test_pages_inspections_checklists.py::TemplateTests",
    "inspections:template": "tests/test_pages_inspections_checklists.py::TemplateTests",
    "inspections:template-publish": "tests/test_pages_inspections_checklists.py::TemplateTests",
    "inspections:rules": "tests/test_pages_inspections_checklists.py::OverrideTests",
    "inspections:override-add": "tests/test_pages_inspections_checklists.py::OverrideTests",
    "inspections:override-delete": "tests/test_pages_inspections_checklists.py::OverrideTests",
    "inspections:fire-export-school": "tests/test_inspections_exports.py::FireExportTests",
    "inspections:fire-export-district": "tests/test_inspections_exports.py::FireExportTests",
    "inspections:supervision": "tests/test_pages_supervision.py::SupervisionPageTests",
    "inspections:supervision-visit": "tests/test_pages_supervision.py::SupervisionPageTests",
    # Emergency plans, training sessions and the term's drill records (drills/urls_plans.py).
    "drillplans:plans": "tests/test_pages_drills_plans.py::PlanPageTests",
    "drillplans:plan-upload": "tests/test_pages_drills_plans.py::PlanPageTests",
    "drillplans:plan-history": "tests/test_pages_drills_plans.py::PlanPageTests",
    "drillplans:training": "tests/test_pages_drills_plans.py::TrainingPageTests",
    "drillplans:training-add": "tests/test_pages_drills_plans.py::TrainingPageTests",
    "drillplans:training-edit": "tests/test_pages_drills_plans.py::TrainingPageTests",
    "drillplans:records-school": "tests/test_drills_exports.py::RecordsExportTests",
    "drillplans:records-district": "tests/test_drills_exports.py::RecordsExportTests",
    "reminders:inbox": "tests/test_reminders_pages.py::InboxPageTests",
    "reminders:read": "tests/test_reminders_pages.py::InboxPageTests",
    "reminders:read-all": "tests/test_reminders_pages.py::InboxPageTests",
    "reminders:settings": "tests/test_reminders_pages.py::SettingsPageTests",
    # Coordination: the API's actions persona by persona (the register's for the police
    # only), and its pages (tests/test_coordination_pages.py).
    "meeting-attach": CoordinationActions.test_meeting_attach,
    "actionitem-complete": CoordinationActions.test_actionitem_complete,
    "actionitem-hazard": CoordinationActions.test_actionitem_hazard,
    "factor-share": CoordinationActions.test_factor_share,
    "factor-unshare": CoordinationActions.test_factor_unshare,
    "factor-hazard": CoordinationActions.test_factor_hazard,
    "legal-vp-compliance": CoordinationActions.test_compliance,
    # The city's and the districts' meeting cadence, and its drill-down to the schools.
    "meeting-cadence": CoordinationCadence.test_meeting_cadence,
    "meeting-cadence-schools": CoordinationCadence.test_meeting_cadence_schools,
    "coordination:cadence": CADENCE_PAGES,
    "coordination:cadence-district": CADENCE_PAGES,
    **dict.fromkeys(
        (
            "coordination:meetings",
            "coordination:meeting-add",
            "coordination:meeting",
            "coordination:meeting-print",
        ),
        COORDINATION_PAGES + "MeetingPageTests",
    ),
    **dict.fromkeys(
        ("coordination:items", "coordination:item"), COORDINATION_PAGES + "ItemPageTests"
    ),
    **dict.fromkeys(
        (
            "coordination:factors",
            "coordination:factor-report",
            "coordination:factor",
            "coordination:factor-share",
        ),
        COORDINATION_PAGES + "RegisterPageTests",
    ),
    **dict.fromkeys(
        (
            "coordination:legal",
            "coordination:legal-school",
            "coordination:activity-add",
            "coordination:activities-export",
        ),
        COORDINATION_PAGES + "LegalPageTests",
    ),
    # The guard rule's pages: read in scope, changed by city staff (and administrators).
    **dict.fromkeys(
        (
            "posts:guard-rules",
            "posts:guard-rule",
            "posts:guard-rule-national",
            "posts:guard-rule-edit",
            "posts:guard-rule-edit-national",
            "posts:guard-rule-reset",
        ),
        "tests/test_guard_rules.py::GuardRulePageTests",
    ),
    # Exports: the filing forms and the school file (一校一档), persona by persona.
    "posts:security-staff": "tests/test_exports_lists.py::FilingFormTests",
    "equipment:technical-defence": "tests/test_exports_lists.py::FilingFormTests",
    "schools:file": "tests/test_exports_school_file.py::SchoolFileTests",
    "schools:file-pdf": "tests/test_exports_school_file.py::SchoolFileTests",
}
# Django's admin keeps its own staff-only permissions; its querysets go through
# for_user (schools/admin.py).
UNDECLARED_NAMESPACES = ("admin",)


def route_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from route_names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern):
            yield pattern, f"{namespace}:{pattern.name}" if namespace else pattern.name


def api_viewsets():
    """(basename, viewset) of every router in the API."""
    for module in (
        "schools.api.urls",
        "posts.api.urls",
        "reminders.api.urls",
        "inspections.api.urls",
        "drills.api.urls",
        "equipment.api.urls",
        "drills.api_plans",
        "equipment.api_checks",
        "coordination.api.urls",
    ):
        router = importlib.import_module(module).router
        for _prefix, viewset, basename in router.registry:
            yield basename, viewset


def pointer_exists(pointer: str) -> bool:
    path, _sep, name = pointer.partition("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return not name or hasattr(module, name)


class CompletenessTests(SimpleTestCase):
    def test_every_route_is_declared(self):
        undeclared = []
        for pattern, name in route_names(get_resolver().url_patterns):
            if name and name.split(":")[0] in UNDECLARED_NAMESPACES:
                continue
            if name not in MATRIX:
                undeclared.append(name or str(pattern.pattern))
        self.assertEqual(undeclared, [], "routes without a permission test in MATRIX")

    def test_every_viewset_action_is_declared(self):
        undeclared = []
        for basename, viewset in api_viewsets():
            for action in viewset.get_extra_actions():
                name = f"{basename}-{action.url_name}"
                if name not in MATRIX:
                    undeclared.append(name)
            if issubclass(viewset, viewsets.ModelViewSet | viewsets.ReadOnlyModelViewSet):
                for kind in ("list", "detail"):
                    if f"{basename}-{kind}" not in MATRIX:
                        undeclared.append(f"{basename}-{kind}")
        self.assertEqual(undeclared, [], "viewset actions without a permission test in MATRIX")

    def test_pointers_name_existing_tests(self):
        for name, test in MATRIX.items():
            with self.subTest(route=name):
                if isinstance(test, str):
                    self.assertTrue(pointer_exists(test), test)

    def test_no_viewset_writes_around_the_scope_check(self):
        # Writes go through ScopedWriteMixin (campussafety/api/viewsets.py): a
        # viewset that overrides these would bypass the check on what it saved.
        for _basename, viewset in api_viewsets():
            if not issubclass(viewset, ScopedModelViewSet):
                continue
            for method in (
                "create",
                "update",
                "partial_update",
                "perform_create",
                "perform_update",
            ):
                with self.subTest(viewset=viewset.__name__, method=method):
                    self.assertNotIn(method, vars(viewset))


class MultiRoleWriteTests(PostsWorldTestCase):
    """A principal who is police liaison elsewhere writes at their school, not at the other."""

    multi_role_personas = True

    def test_duty_logs_and_shifts_at_the_police_school_are_refused(self):
        client = self.api("principal1_police2")
        before = (DutyLog.objects.count(), Shift.objects.count())
        log = client.post(
            reverse("dutylog-list"),
            {"post_period": self.morning("s2").pk, "date": TODAY.isoformat()},
            format="json",
        )
        shift = client.post(
            reverse("shift-list"),
            {
                "post_period": self.morning("s2").pk,
                "date": TUESDAY.isoformat(),
                "member": self.member("s2", "volunteer").pk,
            },
            format="json",
        )
        self.assertEqual((log.status_code, shift.status_code), (403, 403))
        self.assertEqual((DutyLog.objects.count(), Shift.objects.count()), before)

    def test_the_same_user_writes_at_the_school_it_runs(self):
        response = self.api("principal1_police2").post(
            reverse("dutylog-list"),
            {"post_period": self.morning("s1").pk, "date": TODAY.isoformat()},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
