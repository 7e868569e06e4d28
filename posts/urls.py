from django.urls import path

from posts import views

app_name = "posts"
urlpatterns = [
    path("today/", views.TodayView.as_view(), name="today"),
    path("police/", views.PoliceBoardView.as_view(), name="police"),
    path("logs/", views.DutyLogListView.as_view(), name="logs"),
    path("logs/quick/<int:pk>/", views.QuickLogView.as_view(), name="log-quick"),
    path("logs/new/<int:pk>/", views.DutyLogCreateView.as_view(), name="log-create"),
    path("logs/<int:pk>/", views.DutyLogDetailView.as_view(), name="log-detail"),
    path("logs/<int:pk>/edit/", views.DutyLogUpdateView.as_view(), name="log-edit"),
    path("logs/<int:pk>/countersign/", views.CountersignView.as_view(), name="log-countersign"),
    path("roster/", views.RosterView.as_view(), name="roster"),
    path("roster/print/", views.RosterPrintView.as_view(), name="roster-print"),
    path("roster/shifts/add/", views.ShiftAddView.as_view(), name="shift-add"),
    path("roster/shifts/replace/", views.ShiftReplaceView.as_view(), name="shift-replace"),
    path("roster/shifts/swap/", views.ShiftSwapView.as_view(), name="shift-swap"),
    path("roster/shifts/<int:pk>/remove/", views.ShiftRemoveView.as_view(), name="shift-remove"),
    path("roster/generate/", views.RosterGenerateView.as_view(), name="roster-generate"),
    path("roster/pattern/", views.RosterPatternView.as_view(), name="pattern"),
    path("roster/pattern/add/", views.RosterRuleAddView.as_view(), name="rule-add"),
    path(
        "roster/pattern/<int:pk>/delete/", views.RosterRuleDeleteView.as_view(), name="rule-delete"
    ),
    path("members/", views.MemberListView.as_view(), name="members"),
    path("members/add/", views.MemberCreateView.as_view(), name="member-add"),
    path("members/verify/", views.VerificationQueueView.as_view(), name="verify"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("members/<int:pk>/edit/", views.MemberUpdateView.as_view(), name="member-edit"),
    path("members/<int:pk>/verify/", views.MemberVerifyView.as_view(), name="member-verify"),
    path(
        "members/<int:pk>/assignments/add/",
        views.AssignmentAddView.as_view(),
        name="assignment-add",
    ),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/missed/", views.MissedDaysView.as_view(), name="missed"),
]
