from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from inspections.hazard_filing import file_report, file_reports
        from schools.hazards import register

        # Drills, equipment and rounds hand their hazards to this ledger.
        register(file_report, file_reports)
