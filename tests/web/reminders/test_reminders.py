"""Email reminders: opt-in, the day's exercises once per patient and day, retried on failure,
never sent twice, even by two runs at once; and the settings page."""

from __future__ import annotations

import datetime as dt
import html
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.test import override_settings

from backpath import DISCLAIMER
from backpath.errors import InvalidInput
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import ExerciseLog
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from backpath.web.reminders import reminders
from backpath.web.reminders.models import ReminderPreference, ReminderSent
from backpath.web.reminders.reminders import parse_day, send_reminders
from tests.web.builders import (
    BROKEN_MAIL,
    DAILY,
    PUBLISHED,
    WEEKLY,
    home_program,
    logged_in,
    make_user,
    opt_in,
    plan_without_program,
    program_item,
    ready,
    with_program,
)

MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TUESDAY_9 = MONDAY_9 + dt.timedelta(days=1)
SETTINGS = "/me/reminders/"


def a_patient(clinic: Clinic, n: int) -> Patient:
    user = make_user(f"walker{n}", Role.PATIENT, clinic)
    patient = Patient.objects.create(
        clinic=clinic, given_name="Walker", family_name=f"No{n}", birth_year=1970, user=user
    )
    Episode.objects.create(patient=patient)
    return patient


# --- what is sent ---------------------------------------------------------------------------


@override_settings(BACKPATH_BASE_URL="https://clinic.example/")
def test_the_email_lists_the_days_exercises_with_doses_a_link_and_the_disclaimer(
    patient: Patient,
) -> None:
    ready(patient)
    result = send_reminders(MONDAY_9)
    assert result.sent == 1
    [email] = mail.outbox
    assert email.to == ["ada@example.org"]
    assert email.subject == "Your back exercises for Monday 2 March 2026"
    program = home_program()
    for item in program.exercises:  # Monday: the daily ones and the 3-a-week one
        assert f"- {item.name}: {item.dose.text()}" in email.body
    assert "https://clinic.example/me/today/" in email.body
    assert "https://clinic.example/me/reminders/" in email.body
    assert "When to stop:" in email.body
    assert DISCLAIMER in email.body


def test_an_exercise_not_due_that_day_is_left_out(patient: Patient) -> None:
    ready(patient)
    send_reminders(TUESDAY_9)
    body = mail.outbox[0].body
    assert program_item(WEEKLY).name not in body
    assert all(program_item(e).name in body for e in DAILY)


def test_running_twice_sends_one_email(patient: Patient) -> None:
    ready(patient)
    first = send_reminders(MONDAY_9)
    second = send_reminders(MONDAY_9 + dt.timedelta(minutes=15))
    assert (first.sent, second.sent) == (1, 0)
    assert second.skipped == {reminders.ALREADY_SENT: 1}
    assert len(mail.outbox) == 1
    row = ReminderSent.objects.get()
    assert (row.on, row.status, row.attempts) == (dt.date(2026, 3, 2), "sent", 1)
    assert row.sent_at is not None


def test_the_next_day_gets_its_own_email(patient: Patient) -> None:
    ready(patient)
    send_reminders(MONDAY_9)
    send_reminders(TUESDAY_9)
    assert len(mail.outbox) == 2
    assert list(ReminderSent.objects.order_by("on").values_list("on", flat=True)) == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 3),
    ]


def test_a_sent_reminder_is_audited(patient: Patient) -> None:
    ready(patient)
    send_reminders(MONDAY_9)
    event = AuditEvent.objects.get(patient=patient, object_type="ReminderSent")
    assert event.action == "export" and event.method == "CLI"


# --- who gets one, and when ------------------------------------------------------------------


def test_reminders_are_off_until_the_patient_turns_them_on(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    assert send_reminders(MONDAY_9).sent == 0
    ReminderPreference.objects.create(patient=patient, email="ada@example.org")
    assert send_reminders(MONDAY_9).sent == 0
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_turned_off_means_none(patient: Patient) -> None:
    ready(patient, enabled=False)
    assert send_reminders(MONDAY_9).sent == 0
    assert mail.outbox == []


def test_nothing_before_the_chosen_hour_then_one_after_it(patient: Patient) -> None:
    ready(patient, hour=10)
    early = send_reminders(MONDAY_9)
    assert early.skipped == {reminders.NOT_YET: 1} and mail.outbox == []
    assert send_reminders(MONDAY_9 + dt.timedelta(hours=1, minutes=5)).sent == 1


def test_the_day_and_hour_are_the_patients_own_time_zone(patient: Patient) -> None:
    ready(patient, timezone="Asia/Tokyo")
    # 23:30 UTC on Sunday is 08:30 on Monday in Tokyo.
    result = send_reminders(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    assert result.sent == 1
    assert ReminderSent.objects.get().on == dt.date(2026, 3, 2)
    assert "Monday 2 March 2026" in mail.outbox[0].subject


def test_no_published_program_means_no_email(patient: Patient) -> None:
    opt_in(patient)
    assert send_reminders(MONDAY_9).skipped == {reminders.NO_PROGRAM: 1}
    plan_without_program(patient.current_episode())  # a plan without a home program
    assert send_reminders(MONDAY_9).skipped == {reminders.NO_PROGRAM: 1}
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_a_draft_program_is_not_reminded(patient: Patient) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    version.status = PlanVersion.Status.DRAFT
    version.save(update_fields=["status"])
    opt_in(patient)
    assert send_reminders(MONDAY_9).skipped == {reminders.NO_PROGRAM: 1}


def test_a_day_with_nothing_due_sends_nothing(patient: Patient) -> None:
    with_program(patient.current_episode(), home_program((WEEKLY,)), published=PUBLISHED)
    opt_in(patient)
    assert send_reminders(TUESDAY_9).skipped == {reminders.NOTHING_DUE: 1}
    assert send_reminders(MONDAY_9).sent == 1


def log_on(patient: Patient, day: dt.date, exercises: tuple[str, ...], outcome: str) -> None:
    episode = patient.current_episode()
    for exercise in exercises:
        ExerciseLog.objects.create(
            patient=patient, episode=episode, on=day, exercise=exercise, outcome=outcome
        )


def test_a_patient_who_already_logged_the_days_exercises_gets_no_reminder(
    patient: Patient,
) -> None:
    ready(patient)  # Monday: the daily exercises and the weekly one are due
    log_on(patient, MONDAY_9.date(), (*DAILY, WEEKLY), "skipped")
    result = send_reminders(MONDAY_9)
    assert (result.sent, result.skipped) == (0, {reminders.ALREADY_LOGGED: 1})
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    assert "1 already logged that day's exercises" in result.summary()


def test_one_exercise_still_open_still_gets_the_reminder(patient: Patient) -> None:
    ready(patient)
    log_on(patient, MONDAY_9.date(), DAILY, "done")  # the weekly one is still open
    log_on(patient, TUESDAY_9.date(), (WEEKLY,), "done")  # another day's log does not count
    assert send_reminders(MONDAY_9).sent == 1


def test_a_dry_run_counts_the_already_logged(patient: Patient) -> None:
    ready(patient)
    log_on(patient, MONDAY_9.date(), (*DAILY, WEEKLY), "done")
    result = send_reminders(MONDAY_9, dry_run=True)
    assert (result.would_send, result.skipped) == (0, {reminders.ALREADY_LOGGED: 1})


def test_no_address_or_a_disabled_login_means_no_email(patient: Patient) -> None:
    ready(patient, email="")
    assert send_reminders(MONDAY_9).skipped == {reminders.NO_EMAIL: 1}
    ReminderPreference.objects.update(email="ada@example.org")
    User.objects.filter(pk=patient.user_id).update(is_active=False)
    assert send_reminders(MONDAY_9).skipped == {reminders.NO_LOGIN: 1}
    assert mail.outbox == []


# --- dry run, failures, never twice ----------------------------------------------------------


def test_a_dry_run_sends_and_records_nothing(patient: Patient) -> None:
    ready(patient)
    result = send_reminders(MONDAY_9, dry_run=True)
    assert (result.would_send, result.sent) == (1, 0)
    assert "Would send 1" in result.summary() and "dry run" in result.summary()
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ReminderSent").exists()
    assert send_reminders(MONDAY_9).sent == 1
    assert send_reminders(MONDAY_9, dry_run=True).skipped == {reminders.ALREADY_SENT: 1}


def test_a_failed_send_is_recorded_and_retried_once_by_the_next_run(patient: Patient) -> None:
    ready(patient)
    with override_settings(EMAIL_BACKEND=BROKEN_MAIL):
        failed = send_reminders(MONDAY_9)
    assert (failed.sent, failed.failed) == (0, 1)
    row = ReminderSent.objects.get()
    assert row.status == "failed" and "connection refused" in row.error
    assert mail.outbox == []
    retried = send_reminders(MONDAY_9 + dt.timedelta(minutes=15))
    assert retried.sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == ("sent", 2, "")
    assert send_reminders(MONDAY_9 + dt.timedelta(minutes=30)).sent == 0
    assert len(mail.outbox) == 1


def test_a_run_interrupted_while_sending_is_not_retried(patient: Patient) -> None:
    ready(patient)
    ReminderSent.objects.create(patient=patient, on=dt.date(2026, 3, 2), email="ada@example.org")
    result = send_reminders(MONDAY_9)
    assert result.skipped == {reminders.IN_FLIGHT: 1}
    assert mail.outbox == []


def test_the_database_refuses_a_second_reminder_for_the_same_day(patient: Patient) -> None:
    day = dt.date(2026, 3, 2)
    ReminderSent.objects.create(patient=patient, on=day, email="ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(patient=patient, on=day, email="ada@example.org")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(clinic: Clinic) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite locks whole tables; run on PostgreSQL (DATABASE_URL)")
    patients = [a_patient(clinic, n) for n in range(6)]
    for p in patients:
        ready(p)
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(send_reminders(MONDAY_9))
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(r.sent for r in results) == len(patients)
    # The other run lost every claim: at the insert (unique constraint), not a read.
    assert sum(sum(r.skipped.values()) for r in results) == len(patients)
    assert len(mail.outbox) == len(patients)
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org"] * len(patients)
    assert ReminderSent.objects.filter(status="sent").count() == len(patients)


# --- --date ---------------------------------------------------------------------------------


def test_a_forced_date_ignores_the_hour(patient: Patient) -> None:
    ready(patient, hour=23)
    assert send_reminders(MONDAY_9, day=dt.date(2026, 3, 2)).sent == 1


def test_date_must_be_iso_and_near_today() -> None:
    assert parse_day("2026-03-01", MONDAY_9) == dt.date(2026, 3, 1)
    with pytest.raises(InvalidInput, match="--date: must be a date as YYYY-MM-DD"):
        parse_day("1/3/2026", MONDAY_9)
    with pytest.raises(InvalidInput, match="--date: must be from 2026-02-23 to 2026-03-03"):
        parse_day("2026-03-09", MONDAY_9)


# --- the settings page ----------------------------------------------------------------------


def test_the_settings_page_starts_off_with_the_logins_address(patient: Patient) -> None:
    User.objects.filter(pk=patient.user_id).update(email="ada.login@example.org")
    page = logged_in(patient.user).get(SETTINGS).content.decode()
    assert 'value="ada.login@example.org"' in page
    assert "checked" not in page.split('name="enabled"')[1].split(">")[0]
    assert DISCLAIMER in html.unescape(page)


def test_turning_reminders_on_saves_and_redirects(patient: Patient) -> None:
    client = logged_in(patient.user)
    data = {"enabled": "on", "email": "ada@example.org", "hour": "7", "timezone": "Europe/Lisbon"}
    response = client.post(SETTINGS, data)
    assert response.status_code == 302 and response["Location"] == SETTINGS
    pref = ReminderPreference.objects.get(patient=patient)
    assert (pref.enabled, pref.email, pref.hour, pref.timezone) == (
        True,
        "ada@example.org",
        7,
        "Europe/Lisbon",
    )
    assert "email reminders are on, at 07:00" in client.get(SETTINGS).content.decode()
    assert AuditEvent.objects.filter(action="update", patient=patient).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"enabled": "on", "email": "", "hour": "8"}, "Needed to send reminders"),
        ({"email": "not an address", "hour": "8"}, "Enter an email address such as"),
        ({"email": "a@example.org", "hour": "25"}, "Choose an hour from 00:00 to 23:00."),
        ({"email": "a@example.org", "hour": "x"}, "Choose an hour from 00:00 to 23:00."),
        ({"email": "a@example.org", "hour": "8", "timezone": "Mars/Olympus"}, "Choose a time zone"),
    ],
)
def test_bad_settings_name_the_field_and_keep_what_was_typed(
    patient: Patient, data: dict[str, str], message: str
) -> None:
    response = logged_in(patient.user).post(SETTINGS, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    if data["email"]:
        assert f'value="{data["email"]}"' in page
    assert not ReminderPreference.objects.filter(patient=patient).exists()


def test_the_settings_page_lists_recent_reminders_and_links_the_calendar(
    patient: Patient,
) -> None:
    ready(patient)
    send_reminders(MONDAY_9)
    page = logged_in(patient.user).get(SETTINGS).content.decode()
    assert "2 Mar 2026" in page and "Sent" in page
    assert 'href="/me/program.ics"' in page


def test_the_settings_page_is_for_patients_only(clinician: User, patient: Patient) -> None:
    assert logged_in(clinician).get(SETTINGS).status_code == 403
