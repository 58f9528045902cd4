"""The plan as a calendar file (/me/program.ics), read back with the icalendar library."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from dateutil.rrule import rrulestr
from django.test import Client
from icalendar import Calendar, Event

from backpath import DISCLAIMER
from backpath.reports.calendar import CalendarFor, program_calendar
from backpath.reports.plain_plan import week_table
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from backpath.web.reminders.models import ReminderPreference
from tests.web.builders import (
    WALK_NOW,
    home_program,
    logged_in,
    plan_version,
    plan_without_program,
    second_patient,
    with_program,
)

ICS = "/me/program.ics"
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PUBLISHED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # a Monday


def download(client: Client) -> Calendar:
    response = client.get(ICS)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def home_events(calendar: Calendar) -> list[Event]:
    return [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("home-program")]


def occurrences(event: Event) -> list[dt.datetime]:
    start = event.start
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    return list(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))


def test_the_calendar_parses_back_with_sessions_and_the_home_program(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    calendar = download(logged_in(patient.user))
    found = events(calendar)
    sessions = {uid: e for uid, e in found.items() if uid.startswith("sessions-")}
    pt = sessions[f"sessions-physical_therapy.episode-{patient.current_episode().pk}"
                  f".clinic-{patient.clinic_id}@backpath"]  # fmt: skip
    assert pt.start == dt.date(2026, 3, 2)
    assert pt["RRULE"]["FREQ"] == ["WEEKLY"] and pt["RRULE"]["BYDAY"] == ["MO"]
    assert pt["RRULE"]["COUNT"] == [6]
    assert len(home_events(calendar)) == 2  # the daily exercises, and the 3-a-week one


def test_session_days_match_the_week_table_of_my_plan(patient: Patient) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    calendar = download(logged_in(patient.user))
    sessions = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("sessions-")]
    table = {
        row["name"]: [BYDAY[d] for d, cell in enumerate(row["cells"]) if cell]
        for row in week_table(version.document)
        if row["schedule"].get("per_week")
    }
    assert len(sessions) == len(table) >= 2
    for event in sessions:
        name = str(event["SUMMARY"]).removesuffix(" session")
        assert event["RRULE"]["BYDAY"] == table[name]
        assert {BYDAY[o.weekday()] for o in occurrences(event)} == set(table[name])


def test_home_program_events_fall_on_the_days_the_today_view_uses(patient: Patient) -> None:
    program = home_program()
    with_program(patient.current_episode(), program, published=PUBLISHED)
    calendar = download(logged_in(patient.user))
    for event in home_events(calendar):
        items = [e for e in program.exercises if e.name in str(event["SUMMARY"])]
        assert items
        days = occurrences(event)
        assert len(days) >= 18  # until the review: 6 weeks of at least 3 days
        for day in days:
            assert all(item.due_on(day.date()) for item in items)
        every_due_day = {
            PUBLISHED.date() + dt.timedelta(n)
            for n in range(42)
            if all(item.due_on(PUBLISHED.date() + dt.timedelta(n)) for item in items)
        }
        assert every_due_day <= {d.date() for d in days}
    weekly = next(e for e in home_events(calendar) if "Hip" in str(e["SUMMARY"]))
    assert weekly["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]


def test_descriptions_give_every_dose_the_stop_rules_and_the_disclaimer(patient: Patient) -> None:
    program = home_program()
    with_program(patient.current_episode(), program, published=PUBLISHED)
    calendar = download(logged_in(patient.user))
    text = " ".join(str(e["DESCRIPTION"]) for e in home_events(calendar))
    for item in program.exercises:
        assert f"{item.name}: {item.dose.text()}" in text
    assert WALK_NOW in text
    assert "When to stop:" in text
    assert "http://testserver/me/today/" in text
    for event in calendar.walk("VEVENT"):
        assert DISCLAIMER in str(event["DESCRIPTION"])
    assert DISCLAIMER in str(calendar["DESCRIPTION"])


def test_uids_stay_the_same_for_a_new_version_so_reimporting_updates(patient: Patient) -> None:
    episode = patient.current_episode()
    first = with_program(episode, published=PUBLISHED)
    client = logged_in(patient.user)
    before = events(download(client))
    first.status = PlanVersion.Status.SUPERSEDED
    first.save(update_fields=["status"])
    program = home_program()
    stronger = program.exercises[0].model_copy(
        update={"dose": program.exercises[0].dose.model_copy(update={"sets": 2})}
    )
    program = program.model_copy(update={"exercises": (stronger, *program.exercises[1:])})
    with_program(episode, program, published=PUBLISHED + dt.timedelta(days=9))
    after = events(download(client))
    assert set(after) == set(before)
    assert all(int(after[uid]["SEQUENCE"]) == 2 > int(before[uid]["SEQUENCE"]) for uid in after)
    changed = [uid for uid in after if after[uid]["DESCRIPTION"] != before[uid]["DESCRIPTION"]]
    assert any(stronger.dose.text() in str(after[uid]["DESCRIPTION"]) for uid in changed)
    assert events(download(client)).keys() == after.keys()


def test_the_program_is_at_the_patients_hour_in_their_time_zone(patient: Patient) -> None:
    ReminderPreference.objects.create(patient=patient, hour=7, timezone="America/New_York")
    with_program(patient.current_episode(), published=PUBLISHED)
    calendar = download(logged_in(patient.user))
    zone = zoneinfo.ZoneInfo("America/New_York")
    for event in home_events(calendar):
        assert event.start.tzinfo is not None
        assert event.start.replace(tzinfo=None).time() == dt.time(7)
        assert str(event["DTSTART"].params["TZID"]) == "America/New_York"
        # Across the change to summer time on 8 March 2026 the local hour stays 7:00.
        assert {o.astimezone(zone).hour for o in occurrences(event)} == {7}
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]


def test_without_a_preference_the_program_is_at_8_in_the_clinics_zone(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    event = home_events(download(logged_in(patient.user)))[0]
    assert event.start == dt.datetime(2026, 3, 2, 8, tzinfo=zoneinfo.ZoneInfo("UTC"))


def test_a_patient_gets_only_their_own_calendar(patient: Patient, clinic: Any) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    other = second_patient(clinic)
    response = logged_in(other.user).get(ICS)
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content
    assert "not shared a plan" in response.content.decode()


def test_staff_and_strangers_cannot_download_a_patients_calendar(
    patient: Patient, clinician: User
) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    assert logged_in(clinician).get(ICS).status_code == 403
    assert Client().get(ICS).status_code == 302


def test_a_draft_plan_gives_no_calendar(patient: Patient) -> None:
    plan_version(patient.current_episode(), status=PlanVersion.Status.DRAFT)
    response = logged_in(patient.user).get(ICS)
    assert response.status_code == 404
    assert "not shared a plan" in response.content.decode()


def test_a_plan_with_nothing_to_schedule_says_so(patient: Patient) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    version.plan = {
        **{k: v for k, v in version.plan.items() if k != "home_program"},
        "recommended": [
            r for r in version.plan["recommended"] if not r["schedule"].get("per_week")
        ],
    }
    version.save(update_fields=["plan"])
    response = logged_in(patient.user).get(ICS)
    assert response.status_code == 404
    assert "no clinic sessions or home exercises" in response.content.decode()


def test_downloading_the_calendar_is_audited(patient: Patient) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    download(logged_in(patient.user))
    event = AuditEvent.objects.get(action="export", patient=patient)
    assert event.object_type == "PlanVersion" and event.object_id == str(version.pk)


def test_a_plan_without_a_home_program_still_gives_its_sessions(patient: Patient) -> None:
    version = plan_without_program(patient.current_episode())
    owner = CalendarFor(
        clinic="Harbour Back Clinic",
        patient="Ada Byrne",
        uid_base="episode-1",
        start=dt.date(2026, 3, 4),
        zone=zoneinfo.ZoneInfo("Europe/London"),
        at=dt.time(8),
        stamp=PUBLISHED,
    )
    ics = program_calendar(version.document, owner)
    assert ics is not None
    calendar = Calendar.from_ical(ics)
    found = calendar.walk("VEVENT")
    assert found and all(str(e["UID"]).startswith("sessions-") for e in found)
    # Published on a Wednesday: the Monday course starts the next Monday.
    pt = next(e for e in found if "physical_therapy" in str(e["UID"]))
    assert pt.start == dt.date(2026, 3, 9)
    assert calendar.timezones == []  # all-day events need no time zone
