"""Charts drawn on the server as SVG: a line trend, a bar comparison, a histogram.

Why server-rendered SVG rather than a JavaScript library (ECharts): bureau
intranets reach no CDN and the project has no JavaScript build, so an SVG
written into the page needs nothing more to serve; it prints exactly as shown,
scales to a 360px phone through its viewBox, and adds no script (the strict
Content-Security-Policy stays as it is: the drawing uses presentation
attributes, never a style attribute). Every chart is shown beside a table of
its numbers (templates/includes/chart.html) for screen readers and printing.

A chart is data (`Chart`: labels, series of values) plus its SVG; the
template tag `{% chart some_chart %}` (campussafety/templatetags/charts.py)
draws both.
"""

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# A narrow drawing, so that its text stays legible scaled down to a 360px phone.
WIDTH = 480
HEIGHT = 220
FONT = 14
# Room for the axis labels: left, right, top, bottom.
MARGIN = (52, 12, 12, 30)
# Bootstrap's primary, danger and secondary, and a palette for several series.
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d")
TARGET_COLOUR = "#dc3545"
GRID_COLOUR = "#dee2e6"
TEXT_COLOUR = "#495057"


@dataclass
class Chart:
    kind: str
    title: str
    labels: list[str]
    # [(series name, [value or None per label])]
    series: list[tuple[str, list[float | None]]]
    unit: str = ""
    target: float | None = None
    svg: SafeString = field(default=SafeString(""))

    @property
    def rows(self):
        """[(label, [value per series])]: the table beside the chart."""
        return [
            (label, [values[index] for _name, values in self.series])
            for index, label in enumerate(self.labels)
        ]


def _number(value, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}{unit}"


def _scale(series, target, unit=""):
    if unit == "%":
        # Shares are drawn on their whole scale, so 40% never looks like a full bar.
        return 100.0
    values = [v for _name, values in series for v in values if v is not None]
    if target is not None:
        values.append(target)
    top = max(values, default=0)
    if top <= 0:
        return 1.0
    # A round top: 1, 2 or 5 times a power of ten at or above the largest value.
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return float(step * magnitude)
    return float(top)


def _frame(top: float, unit: str, labels: list[str], x_of) -> list:
    left, right, upper, lower = MARGIN
    bottom = HEIGHT - lower
    parts = []
    for fraction in (0, 0.5, 1):
        y = bottom - fraction * (bottom - upper)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="{}">{}</text>',
                left,
                WIDTH - right,
                y,
                y,
                GRID_COLOUR,
                left - 4,
                y + 4,
                FONT,
                TEXT_COLOUR,
                _number(top * fraction, unit),
            )
        )
    # At most about six labels along the bottom, so they never overlap.
    every = max(1, -(-len(labels) // 6))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
                    round(x_of(index), 1),
                    bottom + 20,
                    FONT,
                    TEXT_COLOUR,
                    label,
                )
            )
    return parts


def _svg(title: str, parts: list) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" class="chart-svg">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - every part was built by format_html
    )


def _y(value: float, top: float) -> float:
    _left, _right, upper, lower = MARGIN
    bottom = HEIGHT - lower
    return round(bottom - (value / top) * (bottom - upper), 1)


def _target_line(target, top) -> list:
    if target is None:
        return []
    left, right, _upper, _lower = MARGIN
    y = _y(target, top)
    return [
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"/>',
            left,
            WIDTH - right,
            y,
            y,
            TARGET_COLOUR,
        )
    ]


def line_chart(title, labels, series, *, unit="", target=None) -> Chart:
    """A trend: one line per series over the labels (days); a gap where a value is None."""
    left, right, _upper, _lower = MARGIN
    top = _scale(series, target, unit)
    span = max(len(labels) - 1, 1)

    def x_of(index):
        return left + index * (WIDTH - left - right) / span

    parts = _frame(top, unit, labels, x_of) + _target_line(target, top)
    for number, (name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs, run = [], []
        for index, value in enumerate(values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((round(x_of(index), 1), _y(value, top)))
        if run:
            runs.append(run)
        for points in runs:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                    " ".join(f"{x},{y}" for x, y in points),
                    colour,
                )
            )
            parts.append(
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{}</title></circle>',
                    ((x, y, colour, name) for x, y in points),
                )
            )
    chart = Chart("line", title, list(labels), list(series), unit, target)
    chart.svg = _svg(title, parts)
    return chart


def bar_chart(title, labels, values, *, unit="", target=None, name="") -> Chart:
    """A comparison: one bar per label (districts), with the target as a dashed line."""
    left, right, _upper, lower = MARGIN
    series = [(name or title, list(values))]
    top = _scale(series, target, unit)
    slot = (WIDTH - left - right) / max(len(labels), 1)

    def x_of(index):
        return left + (index + 0.5) * slot

    parts = _frame(top, unit, labels, x_of)
    bottom = HEIGHT - lower
    for index, value in enumerate(values):
        if value is None:
            continue
        y = _y(value, top)
        met = target is None or value >= target
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                round(left + index * slot + slot * 0.15, 1),
                y,
                round(slot * 0.7, 1),
                round(bottom - y, 1),
                PALETTE[0] if met else TARGET_COLOUR,
                labels[index],
                _number(value, unit),
            )
        )
    parts += _target_line(target, top)
    chart = Chart("bar", title, list(labels), series, unit, target)
    chart.svg = _svg(title, parts)
    return chart


def histogram(title, buckets, *, unit="", name="") -> Chart:
    """A distribution: [(bucket label, count)] as touching bars (hazards by age)."""
    left, right, _upper, lower = MARGIN
    labels = [str(label) for label, _count in buckets]
    counts = [count for _label, count in buckets]
    series = [(name or title, counts)]
    top = _scale(series, None, unit)
    slot = (WIDTH - left - right) / max(len(labels), 1)

    def x_of(index):
        return left + (index + 0.5) * slot

    parts = _frame(top, unit, labels, x_of)
    bottom = HEIGHT - lower
    for index, count in enumerate(counts):
        y = _y(count, top)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff">'
                "<title>{}: {}</title></rect>",
                round(left + index * slot, 1),
                y,
                round(slot, 1),
                round(bottom - y, 1),
                PALETTE[2],
                labels[index],
                count,
            )
        )
    chart = Chart("histogram", title, labels, series, unit)
    chart.svg = _svg(title, parts)
    return chart
