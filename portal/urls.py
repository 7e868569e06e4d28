from django.urls import path

from portal import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
]
