"""The access log of the instability register: every read of a factor, by whom and when.

The entries go where the rest of the platform's access entries go (django-auditlog's
LogEntry, campussafety/audit.py), as ACCESS entries saying what was shown, written in
one INSERT for a whole list.
"""

from campussafety.audit import log_shown

FACTOR_READ = {"factor": ["", "read"]}


def log_factors_read(request, factors) -> None:
    """Log that the request's user was shown each of `factors` (one query; none if empty)."""
    log_shown(request, factors, FACTOR_READ)
