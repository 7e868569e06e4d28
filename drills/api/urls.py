from django.urls import path
from rest_framework.routers import SimpleRouter

from drills.api import views

router = SimpleRouter()
router.register("drill-requirements", views.DrillRequirementViewSet)
router.register(
    "drill-requirement-overrides",
    views.RequirementOverrideViewSet,
    basename="drillrequirementoverride",
)
router.register("drills", views.DrillViewSet)
router.register("drill-headcounts", views.ClassHeadcountViewSet)

urlpatterns = [
    path("drills/compliance/", views.ComplianceView.as_view(), name="drill-compliance"),
    path("drills/windows/", views.DrillWindowsView.as_view(), name="drill-windows"),
    # The shared link's endpoint: no account, the token names the drill.
    path(
        "drills/headcount/<str:token>/",
        views.HeadcountReportView.as_view(),
        name="drill-headcount-report",
    ),
    *router.urls,
]
