from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders and notifications")

    def ready(self):
        # Each app declares its reminder kinds in its own reminders.py.
        autodiscover_modules("reminders")
        # The notification a large export sends when its file is ready.
        import reminders.exports  # noqa: F401
        from reminders.schedule import install_default_schedule

        post_migrate.connect(install_default_schedule, sender=self)
