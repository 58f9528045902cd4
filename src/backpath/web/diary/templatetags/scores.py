"""``{{ value|score }}``: a score as people write it (6, 4.67, 37.8), never 37.80 or 6.0."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter  # type: ignore[untyped-decorator]
def score(value: object) -> str:
    """Up to two decimals, trailing zeros dropped; '—' when there is no value."""
    if value is None or value == "":
        return "—"
    try:
        number = round(float(value), 2)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return f"{number:g}"
