from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("School protection posts")

    def ready(self):
        # Reminder kinds recorded as things happen, beside those of posts/reminders.py.
        from posts import notices  # noqa: F401
