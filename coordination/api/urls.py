from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import views

router = SimpleRouter()
router.register("meetings", views.MeetingViewSet)
router.register("meeting-decisions", views.DecisionViewSet)
router.register("action-items", views.ActionItemViewSet)
router.register("instability-factors", views.FactorViewSet, basename="factor")
router.register("legal-vp-appointments", views.AppointmentViewSet)
router.register("legal-vp-activities", views.ActivityViewSet)

urlpatterns = [
    path("meeting-cadence/", views.CadenceView.as_view(), name="meeting-cadence"),
    path(
        "meeting-cadence/schools/",
        views.CadenceSchoolsView.as_view(),
        name="meeting-cadence-schools",
    ),
    path(
        "legal-vp-compliance/",
        views.ComplianceView.as_view(),
        name="legal-vp-compliance",
    ),
    *router.urls,
]
