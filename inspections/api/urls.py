from django.urls import path
from rest_framework.routers import SimpleRouter

from inspections.api import hazards, views

router = SimpleRouter()
router.register("checkpoints", views.CheckpointViewSet)
router.register("checklist-templates", views.ChecklistTemplateViewSet)
router.register("inspection-rules", views.InspectionRuleViewSet)
router.register("rounds", views.RoundViewSet)
router.register("hazards", hazards.HazardViewSet)
router.register("hazard-events", hazards.HazardEventViewSet)
router.register("hazard-extensions", hazards.DeadlineExtensionViewSet)
router.register("supervision-orders", hazards.SupervisionOrderViewSet)
router.register("supervision-reports", hazards.SupervisionReportViewSet)

urlpatterns = [
    path("inspections/windows/", views.WindowsView.as_view(), name="inspection-windows"),
    path("inspections/completion/", views.CompletionView.as_view(), name="inspection-completion"),
    *router.urls,
]
