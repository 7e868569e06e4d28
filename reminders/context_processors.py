"""Template context of every page's header: the unread notifications."""

from reminders.models import Notification


def notifications(request):
    """The unread count in the header: one query, and only on pages that show it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread_count():
        return Notification.objects.for_user(user).unread().count()

    return {"unread_notifications": unread_count}
