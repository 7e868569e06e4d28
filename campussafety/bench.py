"""What the benchmark commands share: timing a call with its queries, and printing a table.

The benchmarks (`make bench`) assert nothing: they print each figure, and
beside it the floor it is measured against, so that changes and databases
can be compared.
"""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


def timed(call, repeat):
    """Milliseconds of `repeat` calls after a warm-up; the last call's queries and status."""
    call()
    timings, queries, status = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = call()
            timings.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
        status = getattr(result, "status_code", None)
    return timings, queries, status


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
