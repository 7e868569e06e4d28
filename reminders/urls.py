from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("<int:pk>/read/", views.MarkReadView.as_view(), name="read"),
    path("read-all/", views.MarkAllReadView.as_view(), name="read-all"),
    path("settings/", views.NotificationSettingsView.as_view(), name="settings"),
    path("schedule/", views.ScheduleView.as_view(), name="schedule"),
    path("schedule/<int:pk>/", views.ScheduleEditView.as_view(), name="schedule-edit"),
]
