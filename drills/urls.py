from django.urls import path

from drills.views import calendar, compliance, live, record

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
]
