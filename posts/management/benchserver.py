"""The URLconf gunicorn serves while `bench_writes` runs: the site, plus the floor.

The floor is the least a Django write can cost on this server: a bare view
(no DRF, no authentication, no scope) that inserts one row into a table with
the duty log's unique constraint (post period, day). bench_writes creates the
table before it starts gunicorn and drops it afterwards. This module is named
only by bench_settings, which only bench_writes hands to gunicorn: the
production URLconf never serves the floor.
"""

import json

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

FLOOR_TABLE = "bench_floor_write"
FLOOR_PATH = "bench/floor/"


@csrf_exempt
def floor(request):
    if request.method != "POST":
        # The warm-up: every worker loads the site before the clock starts.
        return JsonResponse({"ready": True})
    try:
        body = json.loads(request.body)
        values = [int(body["post_period"]), body["date"], timezone.now()]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "bad input"}, status=400)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (post_period_id, date, created) VALUES (%s, %s, %s) "
            "ON CONFLICT (post_period_id, date) DO NOTHING RETURNING id",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"detail": "exists"}, status=409)
    return JsonResponse({"id": row[0]}, status=201)


# The site itself is included by name: the wiring layer sits above the apps.
urlpatterns = [path(FLOOR_PATH, floor), path("", include("campussafety.urls"))]
