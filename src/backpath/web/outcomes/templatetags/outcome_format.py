"""Percentages and intervals as the dashboard writes them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """0.456 -> '46%'; '-' when there is no value."""
    return "-" if value is None else f"{100 * value:.0f}%"


@register.filter
def interval(pair: tuple[float, float] | None) -> str:
    """A 0-1 interval as '31% to 58%'."""
    return "-" if pair is None else f"{100 * pair[0]:.0f}% to {100 * pair[1]:.0f}%"


@register.filter
def ratio_interval(pair: tuple[float, float] | None) -> str:
    return "-" if pair is None else f"{pair[0]:.2f} to {pair[1]:.2f}"
