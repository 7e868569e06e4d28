from rest_framework.routers import SimpleRouter

from reminders.api import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet)

urlpatterns = router.urls
