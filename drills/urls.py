from django.urls import path

from drills.views import calendar, compliance, live, record, requirements

app_name = "drills"
urlpatterns = [
    path("", calendar.CalendarChoiceView.as_view(), name="calendar-choice"),
    path("schools/<int:pk>/", calendar.CalendarView.as_view(), name="calendar"),
    path("plan/", calendar.PlanCreateView.as_view(), name="plan"),
    path("<int:pk>/plan/", calendar.PlanUpdateView.as_view(), name="plan-edit"),
    # The commander's live screen and its buttons.
    path("<int:pk>/", live.LiveView.as_view(), name="live"),
    path("<int:pk>/start/", live.StartView.as_view(), name="start"),
    path("<int:pk>/all-clear/", live.AllClearView.as_view(), name="all-clear"),
    path("<int:pk>/prenotify/", live.PrenotifyView.as_view(), name="prenotify"),
    path("<int:pk>/acknowledge/", live.AcknowledgeView.as_view(), name="acknowledge"),
    # The address of the shared link and its QR code: no account needed.
    path("headcount/<str:token>/", live.HeadcountPageView.as_view(), name="headcount"),
    # The record and evaluation.
    path("<int:pk>/record/", record.RecordView.as_view(), name="record"),
    path("<int:pk>/problems/", record.ProblemsView.as_view(), name="problems"),
    path("<int:pk>/hazard/", record.HazardView.as_view(), name="hazard"),
    path("<int:pk>/sign-off/", record.SignOffView.as_view(), name="sign-off"),
    path("compliance/", compliance.ComplianceView.as_view(), name="compliance"),
    # The requirements (read by everyone in scope, kept by city staff) and their overrides.
    path("requirements/", requirements.RequirementListView.as_view(), name="requirements"),
    path(
        "requirements/add/",
        requirements.RequirementCreateView.as_view(),
        name="requirement-add",
    ),
    path(
        "requirements/<int:pk>/",
        requirements.RequirementDetailView.as_view(),
        name="requirement",
    ),
    path(
        "requirements/<int:pk>/edit/",
        requirements.RequirementUpdateView.as_view(),
        name="requirement-edit",
    ),
    path(
        "requirements/<int:pk>/active/",
        requirements.RequirementActiveView.as_view(),
        name="requirement-active",
    ),
    path(
        "requirements/<int:pk>/overrides/add/",
        requirements.OverrideCreateView.as_view(),
        name="override-add",
    ),
    path(
        "requirements/overrides/<int:pk>/edit/",
        requirements.OverrideUpdateView.as_view(),
        name="override-edit",
    ),
    path(
        "requirements/overrides/<int:pk>/delete/",
        requirements.OverrideDeleteView.as_view(),
        name="override-delete",
    ),
]
