"""The health endpoint (/health/) that docker-compose's web health check calls.

Database, cache and the Celery broker: without any of them the platform cannot
do its work, so a failing one answers 500 (django-health-check) and the
container is reported unhealthy.
"""

import dataclasses
import datetime

from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from campussafety.celery import app


@dataclasses.dataclass
class Broker(HealthCheck):
    """Open a connection to the broker through Celery's own settings.

    Any transport (Redis in production, the filesystem on a laptop); unlike
    health_check.contrib.celery.Ping it does not need a worker to answer, so a
    stopped worker does not take the web service out of the proxy's rotation.
    """

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self):
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as exc:
            # kombu raises its own OperationalError, redis-py its ConnectionError.
            raise ServiceUnavailable(f"Broker unreachable: {type(exc).__name__}") from exc


health_view = HealthCheckView.as_view(checks=[Database, Cache, Broker])
