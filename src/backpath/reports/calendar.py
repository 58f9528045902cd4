"""The plan as an iCalendar file (RFC 5545, written by the ``icalendar`` library).

Two kinds of recurring event:

- one all-day event per clinic treatment of the 'start now' line, on the weekdays of the
  week table on the patient's 'My plan' page, repeated for the course's sessions;
- the home program at the patient's chosen time: one event per set of weekdays (daily
  exercises together, '3 times a week' ones on the days of ``WEEKDAYS_FOR``, the days the
  today view uses), until the plan's review, each describing its exercises and doses.

UIDs depend on the episode and the event's role, not on the plan version, so importing a newer
file updates the same events (``SEQUENCE`` is the plan version) instead of adding copies.
Every description ends with BackPath's disclaimer. Pure: no database, no clock.

Given ``today`` (the subscribed feed always gives it), an event whose every occurrence ends
before that day is left out (``still_to_come``): a finished course, a program whose review
date has passed, a one-off day gone by. A subscription then never fills a calendar with the
past, and a finished plan's feed is simply empty (``empty_calendar``).
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]  # icalendar's own dependency
from icalendar import Calendar, Event, vRecur

from backpath import DISCLAIMER
from backpath.engine.program_models import HomeProgram, ProgramExercise
from backpath.engine.stored_plan import StoredPlan
from backpath.reports.plain_plan import week_table
from backpath.reports.reminder_text import day_text
from backpath.reports.schedule import exercise_weekdays, long_date

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DEFAULT_WEEKS = 12
"""How long the home-program events run when the plan names no review."""
MINUTES_PER_EXERCISE = 5
"""The calendar slot for an exercise dosed in repetitions or holds (a slot, not a dose)."""


@dataclass(frozen=True)
class CalendarFor:
    """Whose calendar it is, where it starts, and how its events are named."""

    clinic: str
    patient: str
    uid_base: str
    """Unique per episode, e.g. 'episode-12'; every UID ends '.<uid_base>@backpath'."""
    start: dt.date
    """The plan's first day (when it was published)."""
    zone: zoneinfo.ZoneInfo
    at: dt.time
    """Local time of the home-program events."""
    stamp: dt.datetime
    """When this version of the plan was made (DTSTAMP); timezone-aware."""
    sequence: int = 0
    """The plan version: a higher SEQUENCE tells calendar apps the event changed."""
    today_url: str | None = None


def _first_on_or_after(day: dt.date, weekdays: tuple[int, ...]) -> dt.date:
    return next(d for d in (day + dt.timedelta(n) for n in range(7)) if d.weekday() in weekdays)


def _weekly(weekdays: tuple[int, ...], **limit: Any) -> vRecur:
    if len(weekdays) == 7:
        return vRecur(freq="DAILY", **limit)
    return vRecur(freq="WEEKLY", byday=[BYDAY[d] for d in weekdays], **limit)


def _event(owner: CalendarFor, role: str, **fields: Any) -> Event:
    event = Event.new(
        uid=f"{role}.{owner.uid_base}@backpath",
        stamp=owner.stamp.astimezone(dt.UTC),
        sequence=owner.sequence,
        **fields,
    )
    return event


def _review_day(plan: StoredPlan, start: dt.date) -> dt.date:
    weeks = plan.review_in_weeks or DEFAULT_WEEKS
    return start + dt.timedelta(days=round(float(weeks) * 7))


def _session_count(schedule: dict[str, Any], review_weeks: float) -> int:
    if schedule.get("sessions"):
        return int(schedule["sessions"])
    weeks = schedule.get("weeks") or review_weeks
    return max(1, math.ceil(int(schedule["per_week"]) * float(weeks)))


def session_events(plan: StoredPlan, owner: CalendarFor) -> list[Event]:
    """The clinic sessions of the 'start now' line, on the week table's days."""
    treatment_of = {r.name: r.treatment for r in plan.recommended}
    review_weeks = float(plan.review_in_weeks or DEFAULT_WEEKS)
    events = []
    for row in week_table(plan):
        schedule = row["schedule"]
        if not schedule.get("per_week"):
            continue  # a home routine, not a course of sessions
        weekdays = tuple(d for d, cell in enumerate(row["cells"]) if cell)
        count = _session_count(schedule, review_weeks)
        minutes = schedule.get("minutes")
        times = {1: "once", 2: "twice"}.get(
            int(schedule["per_week"]), f"{schedule['per_week']} times"
        )
        length = f"about {minutes} minutes a session, " if minutes else ""
        description = "\n".join(
            [
                f"{row['name']}: {length}{times} a week, {count} sessions.",
                f"Book the times with {owner.clinic}. The days shown are those of the week "
                "table on your 'My plan' page.",
                "",
                DISCLAIMER,
            ]
        )
        start = _first_on_or_after(owner.start, weekdays)
        event = _event(
            owner,
            f"sessions-{treatment_of.get(row['name'], row['name'])}",
            summary=f"{row['name']} session",
            description=description,
            start=start,
            end=start + dt.timedelta(days=1),
            categories=["BackPath", "Clinic session"],
        )
        event.add("rrule", _weekly(weekdays, count=count))
        event.add("transp", "TRANSPARENT")  # a reminder of the rhythm, not a booked time
        events.append(event)
    return events


def _days_of(exercise: ProgramExercise) -> tuple[int, ...]:
    return exercise_weekdays(exercise.dose.frequency.per_week)


def _slot_minutes(exercises: list[ProgramExercise]) -> int:
    total = 0
    for e in exercises:
        minutes = e.dose.minutes
        total += minutes * e.dose.sets if minutes else MINUTES_PER_EXERCISE
    return total


def program_events(program: HomeProgram, owner: CalendarFor, until: dt.date) -> list[Event]:
    """One recurring event per set of weekdays the program's exercises fall on."""
    groups: dict[tuple[int, ...], list[ProgramExercise]] = {}
    for exercise in program.exercises:
        groups.setdefault(_days_of(exercise), []).append(exercise)
    events = []
    for weekdays, exercises in groups.items():
        lines = ["Your home exercises:", *day_text(program, exercises), ""]
        if owner.today_url:
            lines.append(f"Tick them off in BackPath: {owner.today_url}")
        lines += [
            f"These events run until your plan's review, around {long_date(until)}. When your "
            "plan changes, download the calendar again: the events update, not duplicate.",
            "",
            DISCLAIMER,
        ]
        first = _first_on_or_after(owner.start, weekdays)
        start = dt.datetime.combine(first, owner.at, tzinfo=owner.zone)
        last = dt.datetime.combine(until, owner.at, tzinfo=owner.zone).astimezone(dt.UTC)
        event = _event(
            owner,
            "home-program-" + "-".join(BYDAY[d] for d in weekdays).lower(),
            summary="Home exercises: " + ", ".join(e.name for e in exercises),
            description="\n".join(lines),
            start=start,
            end=start + dt.timedelta(minutes=_slot_minutes(exercises)),
            categories=["BackPath", "Home exercises"],
        )
        event.add("rrule", _weekly(weekdays, until=last))
        events.append(event)
    return events


def _day(value: dt.date | dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The local day of a DTSTART/DTEND value (a date stays as it is)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(zone).date()
    return value


def last_day(event: Event, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The local day the event's last occurrence ends on (an all-day event's exclusive end
    is the day before it)."""
    start = event.decoded("dtstart")
    end = event.decoded("dtend") if "dtend" in event else start
    all_day = not isinstance(start, dt.datetime)
    length = end - start
    last_start = start
    if "rrule" in event:
        first = dt.datetime.combine(start, dt.time()) if all_day else start  # floating day
        text = event["rrule"].to_ical()
        rule = rrulestr(text.decode() if isinstance(text, bytes) else text, dtstart=first)
        occurrences = list(rule)
        last = occurrences[-1] if occurrences else first
        last_start = last.date() if all_day else last
    finish = _day(last_start + length, zone)
    return finish - dt.timedelta(days=1) if all_day and length else finish


def still_to_come(event: Event, today: dt.date, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether any occurrence of the event ends on or after ``today`` (the patient's day)."""
    return last_day(event, zone) >= today


def _calendar(owner: CalendarFor, events: list[Event]) -> Calendar:
    return Calendar.new(
        prodid="-//BackPath//Back-pain plan//EN",
        name=f"Back-pain plan: {owner.patient}",
        description=f"Sessions and home exercises from {owner.clinic}. {DISCLAIMER}",
        uid=f"calendar.{owner.uid_base}@backpath",
        subcomponents=events,
    )


def program_calendar(
    plan: StoredPlan, owner: CalendarFor, today: dt.date | None = None
) -> bytes | None:
    """The plan's sessions and home program as an .ics file (UTF-8 bytes, CRLF lines), or
    None when nothing is left to put in a calendar. With ``today``, events that are over
    before that day are left out."""
    until = _review_day(plan, owner.start)
    program = plan.home_program
    events = session_events(plan, owner)
    if program is not None:
        events += program_events(program, owner, until)
    if today is not None:
        events = [e for e in events if still_to_come(e, today, owner.zone)]
    if not events:
        return None
    calendar = _calendar(owner, events)
    calendar.add_missing_timezones(
        first_date=owner.start - dt.timedelta(days=7), last_date=until + dt.timedelta(days=7)
    )
    ics: bytes = calendar.to_ical()
    return ics


def empty_calendar(owner: CalendarFor) -> bytes:
    """A valid calendar with no events: what a subscribed feed answers while there is no plan
    or nothing left to come (an error would make some calendar apps drop the subscription)."""
    ics: bytes = _calendar(owner, []).to_ical()
    return ics
