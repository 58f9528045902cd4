"""Days of the week in words, written once for every page, printout, email and calendar.

Which weekdays an 'n times a week' exercise falls on is the domain's rule
(``engine.program_models.WEEKDAYS_FOR``); this module only words it: for the patient in full
('Monday, Wednesday and Friday'), for the clinician short ('Mon, Wed, Fri').
"""

from __future__ import annotations

import datetime as dt

from backpath.engine.program_models import WEEKDAYS_FOR

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DAY_NAMES = tuple(name[:3] for name in DAY_NAMES)


def exercise_weekdays(per_week: int | None) -> tuple[int, ...]:
    """The weekdays (0 = Monday) an exercise done ``per_week`` times falls on; every day when
    it is daily (``None``)."""
    return tuple(range(7)) if per_week is None else WEEKDAYS_FOR[per_week]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def patient_days(per_week: int | None) -> str:
    """'every day', or the days in full: 'Monday, Wednesday and Friday'."""
    if per_week is None or per_week == 7:
        return "every day"
    return _and([DAY_NAMES[d] for d in WEEKDAYS_FOR[per_week]])


def clinician_days(per_week: int | None) -> str:
    """'Every day', or the days short: 'Mon, Wed, Fri'."""
    if per_week is None or per_week == 7:
        return "Every day"
    return ", ".join(SHORT_DAY_NAMES[d] for d in WEEKDAYS_FOR[per_week])


def session_days(per_week: int, offset: int) -> set[int]:
    """``per_week`` clinic sessions spread evenly over the week, starting ``offset`` days in
    (so two treatments' sessions do not all land on Monday)."""
    count = max(1, min(per_week, 7))
    return {(offset + round(i * 7 / count)) % 7 for i in range(count)}


def long_date(day: dt.date) -> str:
    """'Monday 2 March 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"
