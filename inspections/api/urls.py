from django.urls import path
from rest_framework.routers import SimpleRouter

from inspections.api import views

router = SimpleRouter()
router.register("checkpoints", views.CheckpointViewSet)
router.register("checklist-templates", views.ChecklistTemplateViewSet)
router.register("inspection-rules", views.InspectionRuleViewSet)
router.register("rounds", views.RoundViewSet)

urlpatterns = [
    path("inspections/windows/", views.WindowsView.as_view(), name="inspection-windows"),
    path("inspections/completion/", views.CompletionView.as_view(), name="inspection-completion"),
    *router.urls,
]
