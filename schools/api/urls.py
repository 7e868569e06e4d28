from django.urls import path
from rest_framework.routers import SimpleRouter

from schools.api import views

router = SimpleRouter()
router.register("cities", views.CityViewSet)
router.register("districts", views.DistrictViewSet)
router.register("police-stations", views.PoliceStationViewSet)
router.register("schools", views.SchoolViewSet)
router.register("gates", views.GateViewSet)
router.register("terms", views.TermViewSet)
router.register("calendar-exceptions", views.CalendarExceptionViewSet)

urlpatterns = [
    path("calendar/school-days/", views.SchoolDaysView.as_view(), name="school-days"),
    *router.urls,
]
