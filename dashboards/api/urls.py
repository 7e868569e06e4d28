from django.urls import path

from dashboards.api import views

urlpatterns = [
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path("indicator-values/", views.IndicatorValuesView.as_view(), name="indicator-values"),
]
