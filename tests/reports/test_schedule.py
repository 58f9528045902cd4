"""Day wording: the patient's and the clinician's words name the same weekdays, for every
'n times a week' the domain knows."""

from __future__ import annotations

import datetime as dt

import pytest

from backpath.engine.program_models import WEEKDAYS_FOR
from backpath.reports.schedule import (
    DAY_NAMES,
    clinician_days,
    exercise_weekdays,
    long_date,
    patient_days,
    session_days,
)


@pytest.mark.parametrize("per_week", sorted(WEEKDAYS_FOR))
def test_both_wordings_name_the_domains_weekdays(per_week: int) -> None:
    days = exercise_weekdays(per_week)
    assert days == WEEKDAYS_FOR[per_week]
    if per_week == 7:
        assert (patient_days(7), clinician_days(7)) == ("every day", "Every day")
        return
    full = [DAY_NAMES[d] for d in days]
    assert patient_days(per_week).replace(" and ", ", ").split(", ") == full
    assert clinician_days(per_week).split(", ") == [name[:3] for name in full]


def test_a_daily_exercise_falls_on_every_day() -> None:
    assert exercise_weekdays(None) == tuple(range(7))
    assert patient_days(None) == "every day" and clinician_days(None) == "Every day"


@pytest.mark.parametrize("per_week", range(1, 8))
@pytest.mark.parametrize("offset", range(7))
def test_sessions_are_spread_over_distinct_days(per_week: int, offset: int) -> None:
    days = session_days(per_week, offset)
    assert len(days) == per_week and offset in days and days <= set(range(7))


def test_a_long_date_reads_as_people_write_it() -> None:
    assert long_date(dt.date(2026, 3, 2)) == "Monday 2 March 2026"


def test_the_phases_are_worded_from_the_policys_cut_offs() -> None:
    from backpath.knowledge import load_knowledge
    from backpath.reports.phases import phase_cutoffs

    cut = load_knowledge().policy.phase_cutoffs_weeks
    text = phase_cutoffs()
    assert f"under {cut.subacute_from:g} weeks" in text and f"over {cut.chronic_over:g}" in text
