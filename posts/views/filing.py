"""The forms a bureau files from the posts data (posts/filing.py), as .xlsx or CSV."""

from campussafety.export_views import ExportView
from posts.filing import security_staff_table


class SecurityStaffView(ExportView):
    """?district= &on= : the district's security staff table."""

    export_builder = staticmethod(security_staff_table)
