from django.urls import path

from schools import school_file, views

app_name = "schools"
urlpatterns = [
    path("", views.SchoolListView.as_view(), name="list"),
    path("search/", views.SchoolSearchView.as_view(), name="search"),
    path("<int:pk>/", views.SchoolDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="edit"),
    path("<int:pk>/file/", school_file.SchoolFileView.as_view(), name="file"),
    path("<int:pk>/file/pdf/", school_file.SchoolFilePDFView.as_view(), name="file-pdf"),
    path("<int:pk>/gates/add/", views.GateCreateView.as_view(), name="gate-add"),
    path("gates/<int:pk>/delete/", views.GateDeleteView.as_view(), name="gate-delete"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/terms/add/", views.TermCreateView.as_view(), name="term-add"),
    path("calendar/terms/<int:pk>/delete/", views.TermDeleteView.as_view(), name="term-delete"),
    path(
        "calendar/exceptions/add/",
        views.CalendarExceptionCreateView.as_view(),
        name="exception-add",
    ),
    path(
        "calendar/exceptions/<int:pk>/delete/",
        views.CalendarExceptionDeleteView.as_view(),
        name="exception-delete",
    ),
]
