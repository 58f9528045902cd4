"""Checking raw answers against an instrument's items before any scoring.

Every rejection is ``InvalidInput(field, message)`` where the message says what is allowed and
what was given. ``bool`` is never a number here: ``True`` is a yes/no, not a score of 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeGuard

from backpath.errors import InvalidInput
from backpath.instruments.definition import Item


def allowed_values(item: Item, allow_missing: bool = False) -> str:
    """Plain words for the answers ``item`` accepts, e.g. 'an integer from 0 to 5 or null'."""
    values = sorted(o.value for o in item.options)
    if len(values) <= 2:
        ordered = sorted(item.options, key=lambda o: o.value)
        text = " or ".join(f"{o.value} ({o.label})" for o in ordered)
    elif values == list(range(values[0], values[-1] + 1)):
        text = f"an integer from {values[0]} to {values[-1]}"
    else:
        text = "one of " + ", ".join(str(v) for v in values)
    return f"{text} or null" if allow_missing else text


def _is_option(value: object, item: Item) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and item.option(value) is not None


def answer(value: object, item: Item, field: str, allow_missing: bool = False) -> int | None:
    """One answer: an int that is one of the item's option values (or None if allowed)."""
    if (value is None and allow_missing) or _is_option(value, item):
        return value
    raise InvalidInput(field, f"must be {allowed_values(item, allow_missing)}, got {value!r}")


def required_answer(value: object, item: Item, field: str) -> int:
    """One answer that may not be missing."""
    if _is_option(value, item):
        return value
    raise InvalidInput(field, f"must be {allowed_values(item)}, got {value!r}")


def _as_list(answers: object, items: Sequence[Item], field: str) -> list[object]:
    if isinstance(answers, str | bytes) or not isinstance(answers, list | tuple):
        kind = type(answers).__name__
        raise InvalidInput(field, f"must be a list of {len(items)} answers, got {kind}")
    if len(answers) != len(items):
        raise InvalidInput(
            field, f"must have exactly {len(items)} answers, one per item, got {len(answers)}"
        )
    return list(answers)


def answer_list(answers: object, items: Sequence[Item], field: str) -> list[int]:
    """A full list of answers, in item order; ``field[i]`` names a bad one (0-based index)."""
    raw = _as_list(answers, items, field)
    return [
        required_answer(v, item, f"{field}[{i}]")
        for i, (v, item) in enumerate(zip(raw, items, strict=True))
    ]


def answer_list_with_gaps(answers: object, items: Sequence[Item], field: str) -> list[int | None]:
    """Like ``answer_list`` but an unanswered item may be None."""
    raw = _as_list(answers, items, field)
    return [
        answer(v, item, f"{field}[{i}]", True)
        for i, (v, item) in enumerate(zip(raw, items, strict=True))
    ]


def number_in_range(value: object, low: float, high: float, field: str, whole: bool) -> float:
    """A score given back to us (e.g. a baseline): a number, or an int if ``whole``, in range."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (whole and isinstance(value, float))
        and low <= value <= high
    ):
        return float(value)
    kind = "an integer" if whole else "a number"
    raise InvalidInput(field, f"must be {kind} from {low:g} to {high:g}, got {value!r}")
