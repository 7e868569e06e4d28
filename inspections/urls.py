from django.urls import path

from inspections.views import (
    board,
    checklists,
    completion,
    exports,
    guards,
    hazard_exports,
    hazards,
    hazards_bureau,
    rounds,
    supervision,
)

app_name = "inspections"
urlpatterns = [
    # The board, completion, excuses, checkpoints, checklists and exports (inspections/views/).
    path("board/", board.BoardChoiceView.as_view(), name="board-choice"),
    path("board/<int:pk>/", board.BoardView.as_view(), name="board"),
    path("completion/", completion.CompletionView.as_view(), name="completion"),
    path("excuses/", completion.ExcuseListView.as_view(), name="excuses"),
    path(
        "excuses/<int:pk>/withdraw/",
        completion.ExcuseWithdrawView.as_view(),
        name="excuse-withdraw",
    ),
    path("checkpoints/", checklists.CheckpointListView.as_view(), name="checkpoints"),
    path("checkpoints/add/", checklists.CheckpointCreateView.as_view(), name="checkpoint-add"),
    path(
        "checkpoints/<int:pk>/edit/",
        checklists.CheckpointUpdateView.as_view(),
        name="checkpoint-edit",
    ),
    path(
        "checkpoints/<int:pk>/active/",
        checklists.CheckpointDeactivateView.as_view(),
        name="checkpoint-active",
    ),
    path("checklists/", checklists.TemplateListView.as_view(), name="templates"),
    path("checklists/<int:pk>/", checklists.TemplateDetailView.as_view(), name="template"),
    path(
        "checklists/<int:pk>/publish/",
        checklists.TemplatePublishView.as_view(),
        name="template-publish",
    ),
    path("rules/", checklists.RuleListView.as_view(), name="rules"),
    path(
        "rules/<int:pk>/overrides/add/",
        checklists.OverrideCreateView.as_view(),
        name="override-add",
    ),
    path(
        "overrides/<int:pk>/delete/",
        checklists.OverrideDeleteView.as_view(),
        name="override-delete",
    ),
    path(
        "exports/fire/school/<int:pk>/",
        exports.SchoolFireExportView.as_view(),
        name="fire-export-school",
    ),
    path(
        "exports/fire/district/<int:pk>/",
        exports.DistrictFireExportView.as_view(),
        name="fire-export-district",
    ),
    # The guard's rounds, the QR sheet and the guards' accounts (inspections/views/).
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
    # The bureau's supervision visits (督导) (inspections/views/supervision.py).
    path("supervision/", supervision.SupervisionView.as_view(), name="supervision"),
    path(
        "supervision/visits/<int:pk>/",
        supervision.VisitView.as_view(),
        name="supervision-visit",
    ),
    # The hazard ledger's pages and exports (inspections/views/hazards*.py, hazard_exports.py).
    path("hazards/", hazards.LedgerView.as_view(), name="hazards"),
    path("hazards/register/", hazards.RegisterView.as_view(), name="hazard-register"),
    path("hazards/overview/", hazards_bureau.OverviewView.as_view(), name="hazard-overview"),
    path(
        "hazards/supervised/",
        hazard_exports.SupervisedReportView.as_view(),
        name="hazard-supervised",
    ),
    path(
        "hazards/ledger/school/<int:pk>/",
        hazard_exports.SchoolLedgerExportView.as_view(),
        name="hazard-ledger-school",
    ),
    path(
        "hazards/ledger/district/<int:pk>/",
        hazard_exports.DistrictLedgerExportView.as_view(),
        name="hazard-ledger-district",
    ),
    path("hazards/<int:pk>/", hazards.HazardView.as_view(), name="hazard"),
    path("hazards/<int:pk>/<slug:move>/", hazards.HazardActionView.as_view(), name="hazard-move"),
]
