"""The Celery app. Workers and beat start with `celery -A campussafety ...`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campussafety.settings")

app = Celery("campussafety")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
