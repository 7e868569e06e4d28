"""The forms a bureau files from the equipment data (equipment/filing.py), as .xlsx or CSV."""

from equipment.filing import installation_table
from reminders.exports import ExportView


class InstallationView(ExportView):
    """?district= : the district's technical-defence installation table with its summary."""

    export_builder = staticmethod(installation_table)
