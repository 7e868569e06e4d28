from django.urls import path

from inspections.views import guards, rounds

app_name = "inspections"
urlpatterns = [
    # The address printed in each checkpoint's QR code.
    path("scan/<str:token>/", rounds.ScanView.as_view(), name="scan"),
    path("scan/<str:token>/start/", rounds.StartView.as_view(), name="start"),
    path("rounds/<int:pk>/", rounds.RoundView.as_view(), name="round"),
    path(
        "rounds/<int:pk>/checkpoints/<int:checkpoint_pk>/",
        rounds.CheckpointView.as_view(),
        name="checkpoint",
    ),
    path("rounds/<int:pk>/all-fine/", rounds.AllFineView.as_view(), name="all-fine"),
    path("rounds/<int:pk>/answer/", rounds.AnswerView.as_view(), name="answer"),
    path("rounds/<int:pk>/finish/", rounds.FinishView.as_view(), name="finish"),
    path("schools/<int:pk>/qr-codes/", rounds.QRSheetView.as_view(), name="qr-sheet"),
    path("guards/", guards.GuardsView.as_view(), name="guards"),
    path(
        "guards/<int:pk>/<str:action>/",
        guards.GuardActionView.as_view(),
        name="guard-action",
    ),
]
