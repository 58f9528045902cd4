"""The outcome dashboard's charts, as inline SVG drawn with matplotlib.

Two kinds: episodes opened and closed per period (paired bars), and responder rates by group
(horizontal bars with their 95% interval, and the rate the case mix predicts as a diamond).
Withheld groups (fewer than five patients) are not drawn; the label says so. The page puts
the same numbers in a table beside each chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matplotlib.figure import Figure

from backpath.reports.charts import STYLES, inline_svg

OPENED, CLOSED = STYLES[0]["color"], STYLES[1]["color"]
EXPECTED = "#3b3b3b"


@dataclass(frozen=True)
class Bar:
    label: str
    rate: float | None
    """0-1; None when withheld."""
    low: float | None = None
    high: float | None = None
    expected: float | None = None


def activity_svg(key: str, periods: list[tuple[dt.date, int | None, int | None]],
                 grain: str) -> str:  # fmt: skip
    """Episodes opened and closed per period; a withheld count is left out of the bars."""
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.add_subplot()
    names = [period_name(p, grain) for p, _, _ in periods]
    x = list(range(len(periods)))
    ax.bar([i - 0.2 for i in x], [o or 0 for _, o, _ in periods], width=0.4, color=OPENED,
           label="Opened")  # fmt: skip
    ax.bar([i + 0.2 for i in x], [c or 0 for _, _, c in periods], width=0.4, color=CLOSED,
           hatch="//", label="Closed")  # fmt: skip
    ax.set_xticks(
        x, names, rotation=45 if len(x) > 8 else 0, ha="right" if len(x) > 8 else "center"
    )
    ax.set_ylabel("Episodes")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    parts = ["Episodes opened and closed per period: bar chart."]
    for (_p, o, c), name in zip(periods, names, strict=True):
        parts.append(f"{name}: opened {_count(o)}, closed {_count(c)}.")
    parts.append("The same data is in the table after the chart.")
    return inline_svg(fig, key, " ".join(parts))


def rates_svg(key: str, title: str, bars: list[Bar]) -> str:
    """Responder rate per group with its 95% interval and the expected rate."""
    drawn = [b for b in bars if b.rate is not None]
    fig = Figure(figsize=(8, 0.9 + 0.45 * max(1, len(bars))), layout="constrained")
    ax = fig.add_subplot()
    y = list(range(len(bars)))[::-1]
    for pos, bar in zip(y, bars, strict=True):
        if bar.rate is None:
            ax.text(0.01, pos, "withheld (fewer than 5 patients)", va="center", fontsize=8)
            continue
        ax.barh(pos, 100 * bar.rate, color=OPENED, height=0.6)
        if bar.low is not None and bar.high is not None:
            ax.errorbar(100 * bar.rate, pos, xerr=[[100 * (bar.rate - bar.low)],
                        [100 * (bar.high - bar.rate)]], color="#000000", capsize=3,
                        linewidth=1)  # fmt: skip
        if bar.expected is not None:
            ax.plot(100 * bar.expected, pos, marker="D", color=EXPECTED, markersize=6,
                    linestyle="none")  # fmt: skip
    ax.set_yticks(y, [b.label for b in bars])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Responders (%), with 95% interval; diamond: expected from case mix")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    parts = [f"{title}: bar chart of responder rates."]
    for bar in bars:
        if bar.rate is None:
            parts.append(f"{bar.label}: withheld.")
            continue
        text = f"{bar.label}: {100 * bar.rate:.0f}%"
        if bar.expected is not None:
            text += f", expected {100 * bar.expected:.0f}%"
        parts.append(text + ".")
    if not drawn:
        parts.append("No group is large enough to show.")
    parts.append("The same data is in the table after the chart.")
    return inline_svg(fig, key, " ".join(parts))


def period_name(start: dt.date, grain: str) -> str:
    if grain == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%b %Y}"


def _count(value: int | None) -> str:
    return "withheld" if value is None else str(value)
