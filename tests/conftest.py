import os
import shutil
import tempfile

import pytest
from django.conf import settings


def pytest_configure(config):
    # The manifest storage needs collectstatic to have run; tests serve static
    # files from the finders instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Every test world signs up a dozen personas: at PBKDF2's production cost
    # that is seconds of CPU per test class. What is tested is who may do what,
    # not the hash; the sign-in tests that count hashing patch the hasher in use.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads a test does not put in a folder of its own (the demo's emergency
    # plans, say) land in one folder for the run, removed at its end, never in var/.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="campussafety-test-media-")
    # The read replica is a mirror of the test database (a real one when
    # DATABASE_REPLICA_URL is set). Marked views read from it only in the tests
    # that ask (override_settings(REPLICA_READS=True), tests/test_replica.py):
    # every other test class allows the default database alone.
    settings.DATABASES.setdefault(
        "replica", {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
    )
    settings.REPLICA_READS = False
    # In CI the suite must run against the real services; a silent fallback
    # to SQLite or a skipped service test would hide exactly what CI is for.
    if os.environ.get("CI") == "true":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError("CI=true: set DATABASE_URL to PostgreSQL for the test run.")
        if not settings.CELERY_BROKER_URL.startswith("redis://"):
            raise pytest.UsageError("CI=true: set CELERY_BROKER_URL to Redis for the test run.")


def pytest_unconfigure(config):
    if "campussafety-test-media-" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
