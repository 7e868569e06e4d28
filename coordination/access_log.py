"""The access log of the instability register: every read of a factor, by whom and when.

The entries go where the rest of the platform's access entries go (django-auditlog's
LogEntry, campussafety/audit.py), as ACCESS entries saying what was shown, written in
one INSERT for a whole list.
"""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from campussafety.client_ip import client_ip

FACTOR_READ = {"factor": ["", "read"]}


def log_factors_read(request, factors) -> None:
    """Log that the request's user was shown each of `factors` (one query; none if empty)."""
    factors = list(factors)
    if not factors:
        return
    user = request.user
    address = client_ip(request)
    content_type = ContentType.objects.get_for_model(factors[0])
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(factor.pk),
                object_id=factor.pk,
                object_repr=str(factor)[:200],
                action=LogEntry.Action.ACCESS,
                changes=FACTOR_READ,
                actor=user if user.is_authenticated else None,
                remote_addr=address,
            )
            for factor in factors
        ]
    )
