"""The patient's 'today' page: the exercises due, one tap each, stored once per day."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backpath.exercises import load_exercises, load_stop_rules
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import ExerciseLog
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import (
    WALK_NOW,
    home_program,
    logged_in,
    plan_version,
    plan_without_program,
    second_patient,
    tap,
    today,
    with_program,
)

DAILY = ("bird_dog", "glute_bridge", "cat_camel")
WEEKLY = "hip_hinge"  # 3 times a week: Monday, Wednesday, Friday


def page_text(client: Client, **query: str) -> str:
    return html.unescape(client.get(reverse("care:today"), query).content.decode())


# --- the page ---------------------------------------------------------------------------------


def test_today_shows_each_due_exercise_with_picture_dose_and_three_answers(
    me: Client, patient: Patient
) -> None:
    response = me.get(reverse("care:today"))
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    for exercise in DAILY:
        ex = load_exercises()[exercise]
        assert f'id="ex-{exercise}"' in text and ex.name in text
        assert f"{ex.dose.text()}." in text
        assert ex.instructions.movement[0] in text  # the how-to disclosure
        assert f'id="bp-fig-{exercise}-animated-title"' in text
        assert f'id="bp-fig-{exercise}-frames-title"' in text  # for reduced motion
    assert text.count('name="outcome" value="done"') == len(DAILY) + (
        today().weekday() in (0, 2, 4)
    )
    assert WALK_NOW in text and "Warning signs" in text
    assert AuditEvent.objects.filter(patient=patient, action="read", detail=f"today {today()}")


def test_a_three_times_a_week_exercise_is_due_only_on_its_weekdays(me: Client) -> None:
    for back in range(7):
        day = today() - dt.timedelta(days=back)
        text = page_text(me, day=day.isoformat())
        due = f'id="ex-{WEEKLY}"' in text
        assert due == (day.weekday() in (0, 2, 4)), day
        if not due:
            assert "Not due on this day" in text and "Monday, Wednesday and Friday" in text


def test_a_patient_without_a_published_plan_is_told_so(patient: Patient) -> None:
    with_program(patient.episodes.get(), status=PlanVersion.Status.DRAFT)
    text = page_text(logged_in(patient.user))
    assert "has not shared a plan with you yet" in text
    assert 'name="outcome"' not in text and load_exercises()["bird_dog"].name not in text


def test_a_published_plan_without_a_program_says_so(patient: Patient) -> None:
    plan_without_program(patient.episodes.get())
    assert "Your plan has no home exercise program" in page_text(logged_in(patient.user))


def test_only_the_published_version_program_is_shown_never_a_later_draft(
    patient: Patient,
) -> None:
    episode = patient.episodes.get()
    with_program(episode, home_program(("bird_dog",)))
    with_program(episode, home_program(("dead_bug",)), status=PlanVersion.Status.DRAFT)
    client = logged_in(patient.user)
    text = page_text(client)
    assert 'id="ex-bird_dog"' in text and 'id="ex-dead_bug"' not in text
    response = tap(client, "dead_bug", "done")
    assert response.status_code == 400
    assert not ExerciseLog.objects.exists()


# --- logging ----------------------------------------------------------------------------------


def test_a_tap_is_stored_audited_and_shown_as_the_current_answer(
    me: Client, patient: Patient
) -> None:
    response = tap(me, "bird_dog", "done")
    assert response.status_code == 302 and response["Location"].endswith("#ex-bird_dog")
    log = ExerciseLog.objects.get()
    assert (log.patient, log.episode, log.on, log.exercise, log.outcome) == (
        patient,
        patient.episodes.get(),
        today(),
        "bird_dog",
        "done",
    )
    assert log.version == PlanVersion.objects.get() and log.created_by == patient.user
    assert AuditEvent.objects.filter(
        patient=patient, action="create", object_type="ExerciseLog", object_id=str(log.pk)
    ).exists()
    text = page_text(me)
    assert "Your answer: <strong>Done</strong>" in text and "Saved: Bird-dog, done." in text


def test_a_second_tap_the_same_day_changes_the_answer_instead_of_adding_one(
    me: Client, patient: Patient
) -> None:
    tap(me, "glute_bridge", "done")
    tap(me, "glute_bridge", "skipped")
    log = ExerciseLog.objects.get()
    assert log.outcome == "skipped"
    assert AuditEvent.objects.filter(patient=patient, action="update", object_id=str(log.pk))


def test_yesterday_can_be_logged_from_the_day_switcher(me: Client) -> None:
    yesterday = today() - dt.timedelta(days=1)
    assert "Yesterday" in page_text(me)
    response = tap(me, "cat_camel", "done", on=yesterday)
    assert response.status_code == 302 and f"day={yesterday.isoformat()}" in response["Location"]
    assert ExerciseLog.objects.get().on == yesterday
    text = page_text(me, day=yesterday.isoformat())
    assert "Your answer: <strong>Done</strong>" in text and 'aria-current="page">Yesterday' in text


@pytest.mark.parametrize(
    ("days", "problem"), [(-1, "is in the future"), (7, "is more than 6 days ago")]
)
def test_days_outside_the_week_are_refused_naming_the_field(
    me: Client, days: int, problem: str
) -> None:
    day = today() - dt.timedelta(days=days)
    response = tap(me, "bird_dog", "done", on=day)
    text = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"Day: {day:%-d %b %Y} {problem}; choose today or a day from" in text
    assert not ExerciseLog.objects.exists()
    shown = me.get(reverse("care:today"), {"day": day.isoformat()})
    assert shown.status_code == 400
    assert f"Showing today instead: on: {day:%-d %b %Y} {problem}" in html.unescape(
        shown.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"exercise": "prone_press_up"},
            "Exercise: 'prone_press_up' is not in your published program",
        ),
        ({"exercise": "<script>"}, "is not in your published program"),
        ({"outcome": "maybe"}, "How it went: Select a valid choice. maybe is not one of"),
        ({"on": "yesterday"}, "Day: Enter a valid date."),
        ({"stop_rule": "pain_worse"}, "What happened: only goes with the answer 'Too painful'"),
        (
            {"outcome": "too_painful", "stop_rule": "made_up"},
            "What happened: 'made_up' is not one of this exercise's answers: pain_worse",
        ),
        (
            {"outcome": "too_painful", "question": "on"},
            "What happened: choose one of the answers, or 'None of these, it just hurt'",
        ),
    ],
)
def test_junk_gets_a_form_error_never_a_500(me: Client, data: dict[str, str], message: str) -> None:
    fields = {"on": today().isoformat(), "exercise": "bird_dog", "outcome": "done", **data}
    response = me.post(reverse("care:log_exercise"), fields)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert "<script>" not in response.content.decode()
    assert not ExerciseLog.objects.exists()


def test_logging_needs_a_post(me: Client) -> None:
    assert me.get(reverse("care:log_exercise")).status_code == 405


def test_too_painful_asks_which_stop_rule_applied(me: Client) -> None:
    response = tap(me, "bird_dog", "too_painful")
    assert "ask=bird_dog" in response["Location"]
    text = html.unescape(me.get(response["Location"]).content.decode())
    assert "Did one of these happen?" in text
    for rule in load_exercises()["bird_dog"].stop_rules:
        assert load_stop_rules()[rule].patient_text in text
    assert "None of these, it just hurt" in text
    assert "Stop this exercise and contact your clinic" not in text


def test_an_ordinary_stop_rule_answer_says_stop_the_exercise_and_alerts_nobody(
    me: Client,
) -> None:
    tap(me, "bird_dog", "too_painful")
    response = tap(me, "bird_dog", "too_painful", stop_rule="new_pain", question="on")
    assert "ask=" not in response["Location"]
    log = ExerciseLog.objects.get()
    assert (log.outcome, log.stop_rule) == ("too_painful", "new_pain")
    assert log.to_domain().stop_rule == "new_pain"
    text = page_text(me)
    assert " ".join(load_stop_rules()["new_pain"].advice.split()) in " ".join(text.split())
    assert load_stop_rules()["new_pain"].patient_text in text
    assert "Your clinic has been told" not in text
    assert "Warning signs: when to get help urgently" in text


def test_none_of_these_stores_too_painful_without_a_stop_rule(me: Client) -> None:
    tap(me, "bird_dog", "too_painful", stop_rule="none", question="on")
    log = ExerciseLog.objects.get()
    assert (log.outcome, log.stop_rule) == ("too_painful", "")
    assert log.to_domain().stop_rule is None
    assert "Stop this exercise and contact your clinic" not in page_text(me)


def test_logs_are_found_from_the_login_so_no_one_logs_for_another_patient(
    clinic: Any, me: Client, patient: Patient
) -> None:
    other = second_patient(clinic)
    client = logged_in(other.user)
    response = tap(client, "bird_dog", "done")  # the other patient has no plan
    assert response.status_code == 400
    assert "has not shared a home program" in html.unescape(response.content.decode())
    tap(me, "bird_dog", "done")
    assert "Your answer: <strong>Done</strong>" not in page_text(client)
    assert list(ExerciseLog.objects.values_list("patient", flat=True)) == [patient.pk]


def test_clinic_staff_cannot_use_the_today_page(clinician: Any) -> None:
    client = logged_in(clinician)
    assert client.get(reverse("care:today")).status_code == 403
    assert tap(client, "bird_dog", "done").status_code == 403


def test_a_stored_program_the_model_rejects_is_reported_not_a_500(patient: Patient) -> None:
    version = plan_version(patient.episodes.get())
    version.plan = {**version.plan, "home_program": {"treatments": [], "exercises": []}}
    version.save()
    client = logged_in(patient.user)
    response = client.get(reverse("care:today"))
    assert response.status_code == 200
    assert "could not be shown (home_program.exercises:" in html.unescape(response.content.decode())
    page = html.unescape(client.get(reverse("care:my_plan")).content.decode())
    assert "Your plan could not be shown (home_program.exercises:" in page
    assert tap(client, "bird_dog", "done").status_code == 400
    assert client.get(reverse("care:my_plan")).status_code == 200
    assert client.get(reverse("care:progress")).status_code == 200


# --- My plan and Progress ---------------------------------------------------------------------


def test_my_plan_shows_the_illustrated_program(me: Client) -> None:
    text = html.unescape(me.get(reverse("care:my_plan")).content.decode())
    assert "Your home exercises" in text
    for exercise in (*DAILY, WEEKLY):
        assert f'id="bp-fig-{exercise}-animated-title"' in text
    assert "<animate " in text and "Monday, Wednesday and Friday" in text
    assert "Build up to 30 minutes of walking" in text


def test_progress_shows_weekly_adherence_as_a_chart_and_a_table(patient: Patient) -> None:
    episode = patient.episodes.get()
    with_program(episode, home_program(("bird_dog", "glute_bridge")), weeks_ago=3)
    this_monday = today() - dt.timedelta(days=today().weekday())
    monday = this_monday - dt.timedelta(weeks=2)
    for k in range(7):  # a full week two weeks ago: 14 due, 11 done, 1 too painful, 2 skipped
        day = monday + dt.timedelta(days=k)
        ExerciseLog.objects.create(
            patient=patient, episode=episode, on=day, exercise="bird_dog",
            outcome="done" if k < 6 else "too_painful",
        )  # fmt: skip
        if k < 4 or k > 5:
            ExerciseLog.objects.create(
                patient=patient, episode=episode, on=day, exercise="glute_bridge", outcome="done"
            )
        else:
            ExerciseLog.objects.create(
                patient=patient, episode=episode, on=day, exercise="glute_bridge", outcome="skipped"
            )
    ExerciseLog.objects.create(  # not in the program on that day: not counted
        patient=patient, episode=episode, on=monday, exercise="dead_bug", outcome="done"
    )
    text = html.unescape(logged_in(patient.user).get(reverse("care:progress")).content.decode())
    assert "Home exercises done each week" in text
    assert 'id="chart-adherence"' in text
    cells = "<td>14</td><td>11</td><td>1</td><td>2</td><td>0</td><td>78.6%</td>"
    row = f'<th scope="row">{monday:%-d %b %Y}</th>{cells}'
    assert row in text
    next_row = (
        f'<th scope="row">{monday + dt.timedelta(weeks=1):%-d %b %Y}</th><td>14</td><td>0</td>'
    )
    assert next_row in text
    assert "Each exercise of your current program" in text


def test_progress_without_a_program_has_no_adherence_section(patient: Patient) -> None:
    plan_without_program(patient.episodes.get())
    text = logged_in(patient.user).get(reverse("care:progress")).content.decode()
    assert "Home exercises done each week" not in text


def test_a_reported_stop_rule_is_shown_even_when_recorded_elsewhere(
    me: Client, patient: Patient
) -> None:
    """A log written elsewhere with a rule the exercise does not list still gets its advice."""
    ExerciseLog.objects.create(
        patient=patient,
        episode=patient.episodes.get(),
        on=today(),
        exercise="bird_dog",
        outcome="too_painful",
        stop_rule="numbness_or_tingling",
    )
    text = " ".join(page_text(me).split())
    assert "Contact your clinic." in text
    assert " ".join(load_stop_rules()["numbness_or_tingling"].advice.split()) in text
    assert load_stop_rules()["numbness_or_tingling"].patient_text in text
