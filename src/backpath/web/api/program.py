"""REST endpoints of the home exercise program: the library, a patient's program, and the
one-tap exercise log.

The program is the one of the plan published to the patient (staff and patient alike see
what the patient sees). Logging follows the today page's rules, by using its form: an
exercise of that program, today or up to six days back, a stop rule only with 'too painful'
and only one of that exercise's. Same access as the rest of the API: clinic staff for their
clinic's patients, a patient for their own record; anything else 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from backpath.errors import InvalidInput
from backpath.exercises import load_exercises
from backpath.knowledge.models import Phase
from backpath.web import lookups
from backpath.web.api.errors import ERRORS
from backpath.web.api.schemas import ExerciseList, ExerciseLogIn, ExerciseLogOut, ProgramOut
from backpath.web.audit.record import record
from backpath.web.diary import records
from backpath.web.diary.log_form import NO_STOP_RULE, ExerciseLogForm
from backpath.web.diary.models import ExerciseLog
from backpath.web.patients.models import Patient

router = Router(tags=["home program"])
LOG_DAYS = 14


class ProgramQuery(Schema):
    on: dt.date | None = Field(None, description="The day (YYYY-MM-DD); default today.")


class LibraryQuery(Schema):
    phase: Phase | None = Field(None, description="Only exercises for this phase.")


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    return lookups.patient_for(request.auth, patient_id)  # type: ignore[attr-defined]


@router.get("/exercises", response={200: ExerciseList, **ERRORS}, summary="The exercise library")
def list_exercises(request: HttpRequest, query: Query[LibraryQuery]):
    """Every exercise of the home-exercise library, in the order of the evidence table."""
    items = [
        {
            "id": e.id,
            "name": e.name,
            "summary": e.summary,
            "targets": e.targets,
            "phases": e.phases,
            "position": e.position,
            "equipment": e.equipment,
            "starting_dose": e.dose.text(),
        }
        for e in load_exercises().values()
        if query.phase is None or query.phase in e.phases
    ]
    return {"count": len(items), "items": items}


@router.get(
    "/patients/{patient_id}/program",
    response={200: ProgramOut, **ERRORS},
    summary="The home program, the day's exercises and the recent log",
)
def get_program(request: HttpRequest, patient_id: int, query: Query[ProgramQuery]):
    """The home program of the plan published to the patient, the exercises due on `on`
    (default today) with what was logged for each, and the log of the 14 days up to `on`.
    404 when no plan with a home program has been published."""
    patient = _patient(request, patient_id)
    version = lookups.published_version(patient.current_episode())
    program = version.home_program if version else None
    if version is None or program is None:
        record(request, "read", patient, patient=patient, detail="API program: none")
        raise Http404
    day = query.on or timezone.localdate()
    logs = list(
        ExerciseLog.objects.filter(
            episode_id=version.episode_id,
            on__gt=day - dt.timedelta(days=LOG_DAYS),
            on__lte=day,
        )
        .select_related("version")
        .order_by("on", "exercise")
    )
    that_day = {log.exercise: log.outcome for log in logs if log.on == day}
    record(request, "read", version, patient=patient, detail=f"API program {day}")
    return {
        "patient_id": patient.pk,
        "episode_id": version.episode_id,
        "plan_version": version.number,
        "on": day,
        "home_program": program,
        "due": [
            {
                "exercise": e.exercise,
                "name": e.name,
                "dose": e.dose.text(),
                "outcome": that_day.get(e.exercise),
            }
            for e in program.due_on(day)
        ],
        "logs": logs,
    }


def _checked(entry: ExerciseLogIn, program: Any, today: dt.date) -> dict[str, Any]:
    """The today page's form, run on the body; its first error names the body field."""
    data = {
        "on": (entry.on or today).isoformat(),
        "exercise": entry.exercise,
        "outcome": entry.outcome,
        "stop_rule": entry.stop_rule or "",
    }
    form = ExerciseLogForm(data, program=program, today=today)
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        raise InvalidInput("body" if name == "__all__" else name, str(messages[0]))
    cleaned = form.cleaned_data
    stop_rule = "" if cleaned["stop_rule"] == NO_STOP_RULE else cleaned["stop_rule"]
    return {"on": cleaned["on"], "exercise": cleaned["exercise"],
            "outcome": cleaned["outcome"], "stop_rule": stop_rule}  # fmt: skip


@router.post(
    "/patients/{patient_id}/exercise-log",
    response={200: ExerciseLogOut, 201: ExerciseLogOut, **ERRORS},
    summary="Log how an exercise went on a day",
)
def log_exercise(request: HttpRequest, patient_id: int, entry: ExerciseLogIn):
    """Record done, too painful or skipped for one exercise of the published home program
    (staff of the clinic, or the patient). 201 for a new day's answer; 200 when it replaces
    the answer already logged for that exercise and day. `advice` is what the person is told
    at once about a stop rule (urgency none without one); any urgency but none raises an alert
    at the clinic."""
    patient = _patient(request, patient_id)
    episode = patient.current_episode()
    version = lookups.published_version(episode)
    program = version.home_program if version else None
    fields = _checked(entry, program, timezone.localdate())
    assert episode is not None and version is not None  # the form refuses a missing program
    item = program.find(fields["exercise"]) if program else None
    logged = records.log_exercise(
        request,
        patient,
        episode,
        version,
        request.auth,  # type: ignore[attr-defined]
        on=fields["on"],
        exercise=fields["exercise"],
        outcome=fields["outcome"],
        stop_rule=fields["stop_rule"],
        name=item.name if item else fields["exercise"],
        via="API ",
    )
    log = logged.log
    log.advice = logged.advice.as_json()  # type: ignore[attr-defined]
    return Status(201 if logged.created else 200, log)
