from django.urls import path
from rest_framework.routers import SimpleRouter

from posts.api import views

router = SimpleRouter()
router.register("members", views.MemberViewSet)
router.register("member-assignments", views.MemberAssignmentViewSet)
router.register("posts", views.PostViewSet)
router.register("post-periods", views.PostPeriodViewSet)
router.register("roster-rules", views.RosterRuleViewSet)
router.register("guard-rules", views.GuardRuleViewSet)
router.register("shifts", views.ShiftViewSet)
router.register("duty-logs", views.DutyLogViewSet)

urlpatterns = [
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/missed/", views.MissedDaysView.as_view(), name="coverage-missed"),
    *router.urls,
]
