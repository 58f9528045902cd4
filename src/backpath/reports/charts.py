"""Progress charts drawn on the server as SVG with matplotlib, ready to inline in a page.

Each chart shows a measure over time, the baseline from the plan as a horizontal line, and
the minimal important change as a dashed line with a shaded band below it: scores in the band
have improved enough to matter. The threshold comes from the instrument's data file. The
``<svg>`` carries ``role="img"`` and a text alternative; the page repeats the data as a table.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server; must come before anything imports pyplot

from matplotlib import dates as mdates
from matplotlib.figure import Figure

from backpath.instruments.definition import MinimalImportantChange

# Colour-blind-safe pair (Okabe-Ito); each series also has its own marker and line style.
STYLES: list[dict[str, Any]] = [
    {"color": "#0072B2", "marker": "o", "linestyle": "-"},
    {"color": "#D55E00", "marker": "s", "linestyle": "--"},
]
BASELINE_COLOUR = "#3b3b3b"
IMPROVED_COLOUR = "#009E73"
MIN_SPAN_DAYS = 14


@dataclass
class Series:
    label: str
    points: list[tuple[dt.date, float]]


@dataclass
class Chart:
    key: str
    """Unique on the page: salts the SVG's internal ids so inline charts do not clash."""
    title: str
    y_label: str
    y_max: float
    series: list[Series]
    baseline: float | None = None
    baseline_label: str = "Baseline"
    improvement_level: float | None = None
    improvement_label: str = ""
    summary: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(s.points for s in self.series)

    def table(self) -> list[tuple[dt.date, list[float | None]]]:
        """The charted data by day, one value (or None) per series, for the page's table."""
        days: dict[dt.date, list[float | None]] = {}
        for i, s in enumerate(self.series):
            for day, value in s.points:
                days.setdefault(day, [None] * len(self.series))[i] = value
        return sorted(days.items())


def improvement_level(baseline: float, mic: MinimalImportantChange) -> float:
    """The score at or below which a drop from ``baseline`` reaches the minimal important
    change: ``points`` lower, or ``percent`` of baseline lower when that is less (the
    instruments' rule is 'either'), never below 0."""
    drop = mic.points
    if mic.percent is not None:
        drop = min(drop, baseline * mic.percent / 100)
    return max(0.0, baseline - drop)


def _label(chart: Chart) -> str:
    parts = [f"{chart.title}: line chart."]
    for s in chart.series:
        if s.points:
            first, last = s.points[0], s.points[-1]
            parts.append(
                f"{s.label}: {len(s.points)} entries from {first[0]:%-d %b %Y} ({first[1]:g}) "
                f"to {last[0]:%-d %b %Y} ({last[1]:g})."
            )
        else:
            parts.append(f"{s.label}: no entries yet.")
    parts.extend(chart.summary)
    parts.append("The same data is in the table after the chart.")
    return " ".join(parts)


FONT_SIZE = 13
"""Points: the chart is drawn 6 inches wide and shown at a phone's width (about 4 inches), so
its words stay at the size of the page's small print."""


def _draw(chart: Chart, today: dt.date) -> Figure:
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    if chart.improvement_level is not None:
        ax.axhspan(0, chart.improvement_level, color=IMPROVED_COLOUR, alpha=0.12, linewidth=0)
        ax.axhline(
            chart.improvement_level,
            color=IMPROVED_COLOUR,
            linestyle=(0, (5, 3)),
            linewidth=1.5,
            label=chart.improvement_label,
        )
    if chart.baseline is not None:
        ax.axhline(
            chart.baseline,
            color=BASELINE_COLOUR,
            linewidth=1.5,
            label=f"{chart.baseline_label} ({chart.baseline:g})",
        )
    for style, series in zip(STYLES * 4, chart.series, strict=False):
        if series.points:
            days = [p[0] for p in series.points]
            values = [p[1] for p in series.points]
            ax.plot(days, values, label=series.label, linewidth=2.2, markersize=6, **style)  # type: ignore[arg-type]
    # At least two weeks wide (ending today when empty), so a single entry does not
    # stretch the axis over years.
    days = sorted(p[0] for s in chart.series for p in s.points) or [today]
    first, last = days[0], days[-1]
    first = min(first, last - dt.timedelta(days=MIN_SPAN_DAYS))
    ax.set_xlim(first - dt.timedelta(days=1), last + dt.timedelta(days=1))  # type: ignore[arg-type]
    ax.set_ylim(0, chart.y_max)
    ax.set_ylabel(chart.y_label, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 1)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    if ax.get_legend_handles_labels()[0]:  # below the plot, so it never hides a point
        fig.legend(loc="outside lower center", ncols=1, fontsize=FONT_SIZE - 1, frameon=False)
    return fig


def svg(chart: Chart, today: dt.date) -> str:
    """The chart as an inline ``<svg role="img">`` with an aria-label and a ``<title>``;
    an empty chart spans the two weeks up to ``today``."""
    return inline_svg(_draw(chart, today), chart.key, _label(chart))


def inline_svg(fig: Figure, key: str, label: str) -> str:
    """A matplotlib figure as an inline ``<svg role="img" id="chart-KEY">`` labelled with
    ``label`` (aria-label and ``<title>``), sized by CSS, ids unique to ``key``."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"backpath-{key}", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    # Prefix every internal id (figure_1, clip paths, markers) and reference to it, so
    # several inline charts never share an id on one page.
    text = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{key}-", text)
    label = escape(label)
    end = text.index(">")
    opening = re.sub(r'\s(?:width|height)="[^"]*"', "", text[:end])  # CSS sizes it
    opening = opening.replace(
        "<svg ",
        f'<svg role="img" aria-label="{label}" class="chart-svg" id="chart-{key}" ',
        1,
    )
    return f"{opening}><title>{label}</title>{text[end + 1 :]}"


def _mic_summary(baseline: float | None, level: float | None, rule: str) -> list[str]:
    if baseline is None:
        return ["No baseline score in the plan yet."]
    return [f"Baseline {baseline:g}.", f"{rule}", f"Improvement that matters: {level:g} or lower."]


def measure_chart(
    key: str,
    title: str,
    y_label: str,
    y_max: float,
    series: list[Series],
    baseline: float | None,
    mic: MinimalImportantChange | None,
    rule: str,
) -> Chart:
    """A chart of ``series`` against a baseline and, when the measure has one, its minimal
    important change drawn as the level a score must reach to count as improved."""
    level = None
    if baseline is not None and mic is not None:
        level = round(improvement_level(baseline, mic), 2)
    return Chart(
        key=key,
        title=title,
        y_label=y_label,
        y_max=y_max,
        series=series,
        baseline=baseline,
        baseline_label="Baseline at the start",
        improvement_level=level,
        improvement_label=f"Meaningful improvement ({level:g} or lower)"
        if level is not None
        else "",
        summary=_mic_summary(baseline, level, rule) if mic is not None else [],
    )
