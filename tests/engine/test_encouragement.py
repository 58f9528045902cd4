"""The streak and weekly summary on Today: examples first, then properties over any log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from hypothesis import given
from hypothesis import strategies as st

from backpath.engine.encouragement import encouragement, pain_trend
from backpath.engine.program_models import ExerciseLog

TODAY = dt.date(2026, 12, 4)  # a Friday
START = dt.date(2026, 11, 1)
EXERCISES = ("bird_dog", "glute_bridge")


def every_day(day: dt.date) -> Collection[str]:
    return EXERCISES


def weekdays_only(day: dt.date) -> Collection[str]:
    return EXERCISES if day.weekday() < 5 else ()


def logs(
    days: list[dt.date], outcome: str = "done", exercises: tuple[str, ...] = EXERCISES
) -> list[ExerciseLog]:
    return [ExerciseLog(on=d, exercise=e, outcome=outcome) for d in days for e in exercises]


def back(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_three_complete_days_ending_today_are_a_streak_of_three() -> None:
    result = encouragement(TODAY, START, every_day, logs([back(0), back(1), back(2)]), [], [])
    assert result.streak == 3
    assert result.today_complete


def test_today_not_yet_done_does_not_break_a_streak_kept_up_to_yesterday() -> None:
    result = encouragement(TODAY, START, every_day, logs([back(1), back(2)]), [], [])
    assert result.streak == 2
    assert not result.today_complete


def test_a_missed_day_breaks_the_streak() -> None:
    result = encouragement(TODAY, START, every_day, logs([back(0), back(2), back(3)]), [], [])
    assert result.streak == 1


def test_one_exercise_left_unanswered_breaks_the_day() -> None:
    partial = logs([back(1)], exercises=("bird_dog",))
    result = encouragement(TODAY, START, every_day, logs([back(0)]) + partial, [], [])
    assert result.streak == 1


def test_rest_days_with_nothing_due_neither_count_nor_break() -> None:
    # Friday 4 Dec back to Thursday 26 Nov across the weekend of 28-29 Nov
    weekdays = [d for n in range(9) if (d := back(n)).weekday() < 5]
    result = encouragement(TODAY, START, weekdays_only, logs(weekdays), [], [])
    assert result.streak == 7


def test_too_painful_keeps_the_streak_but_skipped_breaks_it() -> None:
    painful = encouragement(TODAY, START, every_day, logs([back(0)], "too_painful"), [], [])
    skipped = encouragement(TODAY, START, every_day, logs([back(0)], "skipped"), [], [])
    assert (painful.streak, skipped.streak) == (1, 0)


def test_days_before_the_program_started_are_not_counted() -> None:
    result = encouragement(TODAY, back(1), every_day, logs([back(n) for n in range(5)]), [], [])
    assert result.streak == 2


def test_the_week_counts_days_done_of_days_due_since_monday() -> None:
    # Monday 30 Nov to Friday 4 Dec: due every day, done Monday, Tuesday and Thursday
    done = [dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 3)]
    week = encouragement(TODAY, START, every_day, logs(done), [], []).week
    assert (week.monday, week.days_due, week.days_done) == (dt.date(2026, 11, 30), 5, 3)


def test_the_week_counts_diary_entries_of_this_week_only() -> None:
    diary = [dt.date(2026, 11, 29), dt.date(2026, 11, 30), TODAY, TODAY]
    assert encouragement(TODAY, START, every_day, [], diary, []).week.diary_entries == 3


def test_pain_one_point_lower_on_average_reads_lower() -> None:
    trend, text = pain_trend([4, 5], [6, 6])
    assert trend == "lower"
    assert text == "Your pain was lower than last week (average 4.5, was 6.0)."


def test_pain_within_a_point_reads_about_the_same() -> None:
    assert pain_trend([5.5], [5])[0] == "same"
    assert pain_trend([7], [5])[0] == "higher"


def test_pain_without_last_weeks_scores_says_so() -> None:
    assert pain_trend([3], []) == (
        "unknown",
        "Not enough pain scores to compare yet (none last week).",
    )


def test_the_weekly_pain_trend_compares_this_calendar_week_with_the_last() -> None:
    pain = [(dt.date(2026, 11, 24), 7.0), (dt.date(2026, 12, 1), 3.0), (back(40), 0.0)]
    assert encouragement(TODAY, START, every_day, [], [], pain).week.pain_trend == "lower"


# Properties: any schedule of due days and any answers over the last three weeks.
DAYS = st.integers(0, 20).map(back)
OUTCOMES = st.sampled_from(["done", "too_painful", "skipped"])
ANSWERS = st.lists(st.builds(ExerciseLog, on=DAYS, exercise=st.sampled_from(EXERCISES),
                             outcome=OUTCOMES), max_size=60)  # fmt: skip
Schedule = dict[dt.date, frozenset[str]]
SCHEDULES = st.dictionaries(DAYS, st.frozensets(st.sampled_from(EXERCISES), min_size=1))


def schedule_of(due: dict[dt.date, frozenset[str]]) -> Callable[[dt.date], Collection[str]]:
    return lambda day: due.get(day, frozenset())


@given(SCHEDULES, ANSWERS)
def test_the_streak_is_never_longer_than_the_days_with_something_due(
    due: Schedule, answers: list[ExerciseLog]
) -> None:
    result = encouragement(TODAY, back(20), schedule_of(due), answers, [], [])
    assert 0 <= result.streak <= len(due)
    assert 0 <= result.week.days_done <= result.week.days_due <= TODAY.weekday() + 1


@given(SCHEDULES, ANSWERS, DAYS, st.sampled_from(EXERCISES))
def test_answering_done_never_shortens_the_streak(
    due: Schedule, answers: list[ExerciseLog], day: dt.date, exercise: str
) -> None:
    before = encouragement(TODAY, back(20), schedule_of(due), answers, [], [])
    more = [a for a in answers if (a.on, a.exercise) != (day, exercise)]
    more.append(ExerciseLog(on=day, exercise=exercise, outcome="done"))
    after = encouragement(TODAY, back(20), schedule_of(due), more, [], [])
    assert after.streak >= before.streak
    assert after.week.days_done >= before.week.days_done


@given(SCHEDULES, ANSWERS)
def test_the_streak_counts_exactly_the_complete_due_days_since_the_last_gap(
    due: Schedule, answers: list[ExerciseLog]
) -> None:
    result = encouragement(TODAY, back(20), schedule_of(due), answers, [], [])
    given_ = {(a.on, a.exercise): a.outcome for a in answers}

    def complete(day: dt.date) -> bool:
        return all(given_.get((day, e)) in ("done", "too_painful") for e in due[day])

    expected = 0
    for day in sorted(due, reverse=True):
        if complete(day):
            expected += 1
        elif day != TODAY:
            break
    assert result.streak == expected


@given(SCHEDULES, ANSWERS)
def test_logs_after_today_change_nothing(due: Schedule, answers: list[ExerciseLog]) -> None:
    future = [ExerciseLog(on=TODAY + dt.timedelta(days=1), exercise=e, outcome="done")
              for e in EXERCISES]  # fmt: skip
    plain = encouragement(TODAY, back(20), schedule_of(due), answers, [], [])
    assert encouragement(TODAY, back(20), schedule_of(due), answers + future, [], []) == plain
