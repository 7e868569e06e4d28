import os

import pytest
from django.conf import settings


def pytest_configure(config):
    # The manifest storage needs collectstatic to have run; tests serve static
    # files from the finders instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # In CI the suite must run against the real services; a silent fallback
    # to SQLite or a skipped service test would hide exactly what CI is for.
    if os.environ.get("CI") == "true":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError("CI=true: set DATABASE_URL to PostgreSQL for the test run.")
        if not settings.CELERY_BROKER_URL.startswith("redis://"):
            raise pytest.UsageError("CI=true: set CELERY_BROKER_URL to Redis for the test run.")
