"""The checks pages, under /equipment/checks/ (the board and items are in equipment/urls.py)."""

from django.urls import path

from equipment import views_checks as views
from equipment import views_extinguishers as extinguishers

app_name = "equipment-checks"

urlpatterns = [
    path("", views.AlarmAndVideoView.as_view(), name="alarm-video"),
    path("school/<int:school>/", views.SchoolChecksView.as_view(), name="school"),
    path(
        "school/<int:school>/service/",
        views.ServiceRecordCreateView.as_view(),
        name="service-new",
    ),
    path(
        "school/<int:school>/alarm-test/",
        views.AlarmTestCreateView.as_view(),
        name="alarm-test-new",
    ),
    path(
        "school/<int:school>/video-check/",
        views.VideoCheckCreateView.as_view(),
        name="video-check-new",
    ),
    path(
        "school/<int:school>/extinguishers/",
        extinguishers.CheckPageView.as_view(),
        name="extinguishers",
    ),
    path(
        "school/<int:school>/extinguishers/start/",
        extinguishers.StartView.as_view(),
        name="extinguishers-start",
    ),
    path(
        "extinguisher/<int:pk>/answer/",
        extinguishers.AnswerView.as_view(),
        name="extinguisher-answer",
    ),
    path(
        "extinguisher-check/<int:pk>/finish/",
        extinguishers.FinishView.as_view(),
        name="extinguishers-finish",
    ),
    path("location/<int:pk>/confirm/", views.ConfirmKitView.as_view(), name="confirm-kit"),
    path("missing/<int:pk>/resolve/", views.ResolveShortageView.as_view(), name="resolve"),
]
