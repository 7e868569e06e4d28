from django.urls import path

from posts.views import coverage, dutylogs, filing, guard_rules, members, rosters, today

app_name = "posts"
urlpatterns = [
    path("today/", today.TodayView.as_view(), name="today"),
    path("police/", dutylogs.PoliceBoardView.as_view(), name="police"),
    path("police/countersign/", dutylogs.CountersignDayView.as_view(), name="countersign-day"),
    path("logs/", dutylogs.DutyLogListView.as_view(), name="logs"),
    path("logs/quick/<int:pk>/", today.QuickLogView.as_view(), name="log-quick"),
    path("logs/quick/all/", today.LogAllDueView.as_view(), name="log-all-due"),
    path("logs/new/<int:pk>/", dutylogs.DutyLogCreateView.as_view(), name="log-create"),
    path("logs/<int:pk>/", dutylogs.DutyLogDetailView.as_view(), name="log-detail"),
    path("logs/<int:pk>/edit/", dutylogs.DutyLogUpdateView.as_view(), name="log-edit"),
    path("logs/<int:pk>/countersign/", dutylogs.CountersignView.as_view(), name="log-countersign"),
    path("logs/<int:pk>/return/", dutylogs.ReturnView.as_view(), name="log-return"),
    path("roster/", rosters.RosterView.as_view(), name="roster"),
    path("roster/print/", rosters.RosterPrintView.as_view(), name="roster-print"),
    path("roster/shifts/add/", rosters.ShiftAddView.as_view(), name="shift-add"),
    path("roster/shifts/replace/", rosters.ShiftReplaceView.as_view(), name="shift-replace"),
    path("roster/shifts/swap/", rosters.ShiftSwapView.as_view(), name="shift-swap"),
    path("roster/shifts/<int:pk>/remove/", rosters.ShiftRemoveView.as_view(), name="shift-remove"),
    path("roster/generate/", rosters.RosterGenerateView.as_view(), name="roster-generate"),
    path("roster/pattern/", rosters.RosterPatternView.as_view(), name="pattern"),
    path("roster/pattern/add/", rosters.RosterRuleAddView.as_view(), name="rule-add"),
    path(
        "roster/pattern/<int:pk>/delete/",
        rosters.RosterRuleDeleteView.as_view(),
        name="rule-delete",
    ),
    path("members/", members.MemberListView.as_view(), name="members"),
    path("members/add/", members.MemberCreateView.as_view(), name="member-add"),
    path("members/verify/", members.VerificationQueueView.as_view(), name="verify"),
    path("members/<int:pk>/", members.MemberDetailView.as_view(), name="member-detail"),
    path("members/<int:pk>/edit/", members.MemberUpdateView.as_view(), name="member-edit"),
    path("members/<int:pk>/verify/", members.MemberVerifyView.as_view(), name="member-verify"),
    path(
        "members/<int:pk>/assignments/add/",
        members.AssignmentAddView.as_view(),
        name="assignment-add",
    ),
    path("assignments/<int:pk>/end/", members.AssignmentEndView.as_view(), name="assignment-end"),
    path("guard-rules/", guard_rules.GuardRuleListView.as_view(), name="guard-rules"),
    path(
        "guard-rules/national/",
        guard_rules.GuardRuleView.as_view(),
        name="guard-rule-national",
    ),
    path(
        "guard-rules/national/edit/",
        guard_rules.GuardRuleEditView.as_view(),
        name="guard-rule-edit-national",
    ),
    path("guard-rules/<int:city_pk>/", guard_rules.GuardRuleView.as_view(), name="guard-rule"),
    path(
        "guard-rules/<int:city_pk>/edit/",
        guard_rules.GuardRuleEditView.as_view(),
        name="guard-rule-edit",
    ),
    path(
        "guard-rules/<int:city_pk>/reset/",
        guard_rules.GuardRuleResetView.as_view(),
        name="guard-rule-reset",
    ),
    path("coverage/", coverage.CoverageView.as_view(), name="coverage"),
    path("coverage/missed/", coverage.MissedDaysView.as_view(), name="missed"),
    path("filing/security-staff/", filing.SecurityStaffView.as_view(), name="security-staff"),
]
