"""The forms a bureau files from the equipment data (equipment/filing.py), as .xlsx or CSV."""

from campussafety.export_views import ExportView
from equipment.filing import installation_table


class InstallationView(ExportView):
    """?district= : the district's technical-defence installation table with its summary."""

    export_builder = staticmethod(installation_table)
