from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    """Security meetings and their action items, the instability register, legal vice-presidents."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "coordination"
    verbose_name = _("Coordination")
