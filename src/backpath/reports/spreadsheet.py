"""CSV cells a spreadsheet will not run: a cell that starts like a formula is prefixed with an
apostrophe (OWASP's advice on CSV injection), so a name such as ``=HYPERLINK(...)`` typed into
a record is shown as text, never evaluated, when a lead opens an export."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
