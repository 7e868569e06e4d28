from django.urls import path

from dashboards import pages, views

app_name = "dashboards"

urlpatterns = [
    path("", pages.CityDashboardView.as_view(), name="city"),
    path("district/<int:pk>/", pages.DistrictDashboardView.as_view(), name="district"),
    path("proof/<str:code>/", pages.ProofView.as_view(), name="proof"),
    path("today/", views.TodayBoardView.as_view(), name="today"),
]
