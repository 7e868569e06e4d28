from django.urls import path
from rest_framework.routers import SimpleRouter

from equipment.api import views

router = SimpleRouter()
router.register("equipment-types", views.EquipmentTypeViewSet)
router.register("kit-standards", views.KitStandardViewSet)
router.register("kit-lines", views.KitLineViewSet)
router.register("equipment-locations", views.LocationViewSet)
router.register("equipment-items", views.ItemViewSet)
router.register("stock-balances", views.StockBalanceViewSet)
router.register("equipment-movements", views.MovementViewSet)

urlpatterns = [
    path("equipment/compliance/", views.ComplianceView.as_view(), name="equipment-compliance"),
    path("equipment/imports/", views.ImportView.as_view(), name="equipment-import"),
    path("equipment/exports/", views.ExportView.as_view(), name="equipment-export"),
    *router.urls,
]
