from django.urls import path

from coordination.views import cadence, legal, meetings, register

app_name = "coordination"

urlpatterns = [
    path("meetings/", meetings.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", meetings.MeetingFormView.as_view(), name="meeting-add"),
    path("meetings/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/print/", meetings.MeetingPrintView.as_view(), name="meeting-print"),
    path("meetings/cadence/", cadence.CadenceView.as_view(), name="cadence"),
    path(
        "meetings/cadence/districts/<int:pk>/",
        cadence.CadenceDistrictView.as_view(),
        name="cadence-district",
    ),
    path("action-items/", meetings.ActionItemListView.as_view(), name="items"),
    path("action-items/<int:pk>/", meetings.ActionItemView.as_view(), name="item"),
    path("register/", register.FactorListView.as_view(), name="factors"),
    path("register/report/", register.FactorReportView.as_view(), name="factor-report"),
    path("register/<int:pk>/", register.FactorView.as_view(), name="factor"),
    path("register/<int:pk>/share/", register.FactorShareView.as_view(), name="factor-share"),
    path("legal/", legal.ComplianceView.as_view(), name="legal"),
    path("legal/schools/<int:pk>/", legal.SchoolLegalView.as_view(), name="legal-school"),
    path("legal/activities/new/", legal.ActivityAddView.as_view(), name="activity-add"),
    path(
        "legal/districts/<int:pk>/activities.xlsx",
        legal.ActivityExportView.as_view(),
        name="activities-export",
    ),
]
