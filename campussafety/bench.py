"""What the benchmark commands share: timing a call with its queries, and printing a table.

The benchmarks (`make bench`) assert nothing: they print each figure, and
beside it the floor it is measured against, so that changes and databases
can be compared.
"""

import itertools
import statistics
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, reset_queries
from django.http import HttpResponseForbidden, JsonResponse
from django.test.utils import CaptureQueriesContext, override_settings

# The floors served by floor_view, by name (served() adds them).
_FLOORS = {}
_NAMES = itertools.count(1)

# The URLconf that serves them beside the site's (campussafety.bench_urls), for
# override_settings(ROOT_URLCONF=...) around a benchmark's requests.
URLCONF = "campussafety.bench_urls"


def requests_settings():
    """The settings a benchmark's requests run under (a context manager).

    The floor view is served (URLCONF), and static files are named plainly:
    the benchmark's database comes without a collectstatic manifest, and its
    pages are timed, not served.
    """
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": plain}}
    return override_settings(STORAGES=storages, ROOT_URLCONF=URLCONF)


def timed(call, repeat):
    """Milliseconds of `repeat` calls after a warm-up; the last call's queries and status."""
    call()
    timings, queries, status = [], 0, None
    for _ in range(repeat):
        # The log keeps the last 9,000 queries: once full, a capture counts 0.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = call()
            timings.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
        status = getattr(result, "status_code", None)
    return timings, queries, status


# The columns compared() fills, after a request's own figures.
FLOOR_HEADER = ("floor SQL ms", "floor view ms", "ratio")


def compared(call, floor, repeat, client=None):
    """Time `call` and its floor in one run: (timings, queries, status, FLOOR_HEADER's cells).

    The floor is `floor` (a function running the same work as hand-written
    SQL) timed on its own and, given the `client` the call is a request of,
    also served by the bare floor_view through that client. The ratio is to
    the served floor when there is one (a request against a request), to the
    SQL otherwise (a function against its SQL).
    """
    timings, queries, status = timed(call, repeat)
    sql, _q, _s = timed(floor, repeat)
    sql_ms, to_sql = ratio(timings, sql)
    if client is None:
        return timings, queries, status, (sql_ms, "", to_sql)
    view, _q, view_status = timed(served(client, floor), repeat)
    if view_status != 200:
        raise RuntimeError(f"The floor view answered {view_status}: is URLCONF in use?")
    return timings, queries, status, (sql_ms, *ratio(timings, view))


def figures(timings):
    """min, median and max milliseconds, as cells."""
    return (
        f"{min(timings):.1f}",
        f"{statistics.median(timings):.1f}",
        f"{max(timings):.1f}",
    )


def ratio(timings, floor):
    """The median beside the floor's median: (floor ms, "N.Nx") as cells."""
    median, floor_median = statistics.median(timings), statistics.median(floor)
    return f"{floor_median:.1f}", (f"{median / floor_median:.1f}x" if floor_median else "")


def print_table(stdout, header, lines, left=1):
    """Columns padded to their widest cell: the first `left` to the left, numbers to the right."""
    widths = [max(len(line[i]) for line in (header, *lines)) for i in range(len(header))]

    def format_line(line):
        cells = [cell.ljust(width) for cell, width in zip(line[:left], widths, strict=False)]
        cells += [cell.rjust(width) for cell, width in zip(line[left:], widths[left:], strict=True)]
        return "  ".join(cells).rstrip()

    stdout.write(format_line(header))
    stdout.write("  ".join("-" * width for width in widths))
    for line in lines:
        stdout.write(format_line(line))


def floor_view(request, name):
    """A bare Django view: the signed-in check every page makes, then the floor's rows as JSON.

    A page's or an endpoint's floor is its hand-written SQL served by this view
    through the same client, middleware, session and user as the request it is
    compared with: what is left between the two is what the page adds (the
    ORM, the serializer, the template), not the request's fixed cost.
    """
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    rows = _FLOORS[name]()
    return JsonResponse({"rows": rows}, encoder=DjangoJSONEncoder, safe=False)


def served(client, floor):
    """A call that GETs `floor` (a function returning rows) through `client`, from floor_view.

    Only under override_settings(ROOT_URLCONF=URLCONF).
    """
    name = f"floor-{next(_NAMES)}"
    _FLOORS[name] = floor
    return lambda: client.get(f"/__bench__/floor/{name}/")
