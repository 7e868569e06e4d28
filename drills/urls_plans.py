"""Pages of emergency plans, training sessions and the term's drill records (drills/views_plans.py,
drills/views_exports.py); the drill pages have their own URLconf (drills/urls.py)."""

from django.urls import path

from drills import views_exports, views_plans

app_name = "drillplans"
urlpatterns = [
    path("plans/", views_plans.PlanListView.as_view(), name="plans"),
    path("plans/upload/", views_plans.PlanUploadView.as_view(), name="plan-upload"),
    path(
        "plans/<int:pk>/<str:plan_type>/",
        views_plans.PlanHistoryView.as_view(),
        name="plan-history",
    ),
    path("training/", views_plans.TrainingListView.as_view(), name="training"),
    path(
        "training/schools/<int:school_pk>/add/",
        views_plans.TrainingFormView.as_view(),
        name="training-add",
    ),
    path("training/<int:pk>/edit/", views_plans.TrainingFormView.as_view(), name="training-edit"),
    path(
        "records/school/<int:pk>/",
        views_exports.SchoolRecordsView.as_view(),
        name="records-school",
    ),
    path(
        "records/district/<int:pk>/",
        views_exports.DistrictSummaryView.as_view(),
        name="records-district",
    ),
]
