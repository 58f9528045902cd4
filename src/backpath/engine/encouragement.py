"""Encouragement on the patient's Today page: a streak of program days and a weekly summary.

Both are counted from the one-tap exercise log, so they only ever praise what the patient
recorded; nothing here nags. Pure functions over plain values; no Django, no clock.

The streak, precisely: walk back one day at a time from ``today``. A day on which no exercise
was due (a rest day, or a day before any program) is passed over: it neither counts nor
breaks the streak. A day with exercises due *counts* when every one of them has an answer of
'done' or 'too painful', and *breaks* the streak otherwise (one skipped or unanswered).
Today itself is still open: if it is not complete yet it is passed over instead of breaking,
so a streak kept up to yesterday still shows in the morning. 'Too painful' keeps the streak
because stopping a painful exercise and saying so is what the plan asks; a streak must never
push anyone to exercise through pain. The walk stops at ``start`` (the first program day) or
after ``MAX_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from backpath.engine.program_models import ExerciseLog

MAX_DAYS = 366
"""How far back the streak is counted; a longer one is shown as this many days."""
KEEPS_STREAK = frozenset({"done", "too_painful"})
PAIN_STEP = 1.0
"""Weekly pain averages closer than one point (0-10 scale) are called 'about the same':
day-to-day pain moves more than that on its own."""

Trend = Literal["lower", "same", "higher", "unknown"]
DueOn = Callable[[dt.date], Collection[str]]
"""The exercise ids due on a day under the program the patient had then (empty: none)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WeekSummary(_Frozen):
    """Monday to ``today`` of the current calendar week."""

    monday: dt.date
    days_due: int
    """Days so far this week (today included) with at least one exercise due."""
    days_done: int
    """Of those, the days complete by the streak's rule."""
    diary_entries: int
    pain_trend: Trend
    """Average 'pain now' score this week against last week's."""
    pain_text: str


class Encouragement(_Frozen):
    streak: int
    """Consecutive program days, as defined in the module docstring (0: none yet)."""
    today_complete: bool
    """Today had exercises due and every one has a streak-keeping answer."""
    week: WeekSummary


def _answers(logs: Iterable[ExerciseLog]) -> dict[dt.date, dict[str, str]]:
    by_day: dict[dt.date, dict[str, str]] = {}
    for log in logs:
        by_day.setdefault(log.on, {})[log.exercise] = log.outcome
    return by_day


def _complete(due: Collection[str], answers: dict[str, str]) -> bool:
    return bool(due) and all(answers.get(e) in KEEPS_STREAK for e in due)


def streak(
    today: dt.date, start: dt.date, due_on: DueOn, answers: dict[dt.date, dict[str, str]]
) -> int:
    """The streak ending today (or yesterday while today is open); see the module docstring."""
    count = 0
    for back in range(MAX_DAYS):
        day = today - dt.timedelta(days=back)
        if day < start:
            break
        due = due_on(day)
        if not due:
            continue
        if _complete(due, answers.get(day, {})):
            count += 1
        elif day != today:
            break
    return count


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def pain_trend(this_week: list[float], last_week: list[float]) -> tuple[Trend, str]:
    """'Pain now' scores (0-10) of this week and last, compared by their averages."""
    now, before = _mean(this_week), _mean(last_week)
    if now is None or before is None:
        missing = "this week" if now is None else "last week"
        return "unknown", f"Not enough pain scores to compare yet (none {missing})."
    if now <= before - PAIN_STEP:
        return "lower", f"Your pain was lower than last week (average {now:.1f}, was {before:.1f})."
    if now >= before + PAIN_STEP:
        return (
            "higher",
            f"Your pain was higher than last week (average {now:.1f}, was {before:.1f}).",
        )
    return "same", f"Your pain was about the same as last week (average {now:.1f})."


def encouragement(
    today: dt.date,
    start: dt.date,
    due_on: DueOn,
    logs: Iterable[ExerciseLog],
    diary_days: Iterable[dt.date],
    pain: Iterable[tuple[dt.date, float]],
) -> Encouragement:
    """The streak and this week's summary.

    ``start``: the first day a program applied (days before it are never counted).
    ``diary_days``: the day of every diary entry; ``pain``: (day, 'pain now' 0-10) pairs.
    Logs, entries and scores after ``today`` are ignored.
    """
    answers = _answers(log for log in logs if log.on <= today)
    monday = today - dt.timedelta(days=today.weekday())
    week_days = [monday + dt.timedelta(days=k) for k in range(today.weekday() + 1)]
    due_days = [d for d in week_days if d >= start and due_on(d)]
    done_days = [d for d in due_days if _complete(due_on(d), answers.get(d, {}))]
    last_monday = monday - dt.timedelta(days=7)
    scores = [(d, v) for d, v in pain if d <= today]
    trend, text = pain_trend(
        [v for d, v in scores if d >= monday], [v for d, v in scores if last_monday <= d < monday]
    )
    today_due = due_on(today) if today >= start else ()
    return Encouragement(
        streak=streak(today, start, due_on, answers),
        today_complete=_complete(today_due, answers.get(today, {})),
        week=WeekSummary(
            monday=monday,
            days_due=len(due_days),
            days_done=len(done_days),
            diary_entries=sum(1 for d in diary_days if monday <= d <= today),
            pain_trend=trend,
            pain_text=text,
        ),
    )
