"""The site's URLs and the benchmarks' floor view (campussafety.bench.floor_view).

Only the benchmark commands use it, under override_settings(ROOT_URLCONF=...):
the site never serves the floors.
"""

from django.urls import path

from campussafety.bench import floor_view
from campussafety.urls import urlpatterns as site

urlpatterns = [*site, path("__bench__/floor/<slug:name>/", floor_view)]
