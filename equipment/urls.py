from django.urls import path

from equipment.views import board, compliance, filing, movements, transfer

app_name = "equipment"
urlpatterns = [
    path("", board.BoardChoiceView.as_view(), name="board-choice"),
    path("schools/<int:pk>/", board.BoardView.as_view(), name="board"),
    path("schools/<int:pk>/record/", movements.RecordMovementView.as_view(), name="record"),
    path("schools/<int:pk>/qr-tags/", board.QRSheetView.as_view(), name="qr-tags"),
    path("schools/<int:pk>/import/", transfer.ImportView.as_view(), name="import"),
    path("schools/<int:pk>/export/", transfer.ExportView.as_view(), name="export"),
    # The address printed in each piece's QR tag.
    path("items/<int:pk>/", board.ItemView.as_view(), name="item"),
    path("compliance/", compliance.ComplianceView.as_view(), name="compliance"),
    path("places/search/", movements.LocationSearchView.as_view(), name="location-search"),
    path("due/", compliance.DueListView.as_view(), name="due"),
    path(
        "filing/technical-defence/",
        filing.InstallationView.as_view(),
        name="technical-defence",
    ),
]
