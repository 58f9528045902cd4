"""Today's streak and weekly summary, read from the patient's own exercise log and diary."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

from backpath.web.patients.models import Patient
from tests.web.builders import (
    DAILY,
    add_entry,
    home_program,
    log_exercise,
    logged_in,
    second_patient,
    today,
    with_program,
)


def page_text(client: Client) -> str:
    """The page's words, without tags, on one line."""
    body = client.get(reverse("care:today")).content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def daily_program(patient: Patient) -> Client:
    """Three daily exercises, published three weeks ago; the patient signed in."""
    with_program(patient.episodes.get(), home_program(DAILY), weeks_ago=3)
    return logged_in(patient.user)


def do_all(patient: Patient, days: int, outcome: str = "done") -> None:
    for exercise in DAILY:
        log_exercise(patient.episodes.get(), exercise, days, outcome)


def test_three_days_done_up_to_yesterday_show_a_streak_of_three(patient: Patient) -> None:
    client = daily_program(patient)
    for days in (1, 2, 3):
        do_all(patient, days)
    text = page_text(client)
    assert "3 days in a row with your exercises done." in text
    assert "today included" not in text


def test_finishing_today_adds_it_to_the_streak_with_praise(patient: Patient) -> None:
    client = daily_program(patient)
    for days in (0, 1):
        do_all(patient, days)
    assert "2 days in a row with your exercises done, today included. Well done." in (
        page_text(client)
    )


def test_a_day_stopped_as_too_painful_keeps_the_streak(patient: Patient) -> None:
    client = daily_program(patient)
    do_all(patient, 1, "too_painful")
    do_all(patient, 2)
    assert "2 days in a row" in page_text(client)


def test_without_a_complete_day_the_page_says_how_a_streak_starts(patient: Patient) -> None:
    client = daily_program(patient)
    log_exercise(patient.episodes.get(), DAILY[0], 1, "done")  # one of three: not complete
    assert "Your streak starts on the first day you answer all" in page_text(client)


def test_the_weekly_summary_counts_this_weeks_days_diary_and_pain(patient: Patient) -> None:
    client = daily_program(patient)
    do_all(patient, 0)
    add_entry(patient, "nrs", 0, 3)
    add_entry(patient, "nrs", 7, 6)  # last week, same weekday
    text = page_text(client)
    due = today().weekday() + 1  # every day since Monday
    assert f"Exercises done on 1 of {due} day{'s' if due > 1 else ''} with exercises" in text
    assert "1 diary entry this week." in text
    assert "Your pain was lower than last week (average 3.0, was 6.0)." in text


def test_another_patients_log_never_counts(patient: Patient) -> None:
    client = daily_program(patient)
    other = second_patient(patient.clinic)
    with_program(other.episodes.get(), home_program(DAILY), weeks_ago=3)
    for days in (0, 1, 2):
        do_all(other, days)
    assert "Your streak starts on the first day" in page_text(client)
    assert "3 days in a row" in page_text(logged_in(other.user))


def test_no_summary_before_a_program_is_published(patient: Patient) -> None:
    assert "Your week so far" not in page_text(logged_in(patient.user))
