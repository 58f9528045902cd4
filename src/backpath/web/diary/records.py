"""The one writer of a patient's own records: diary entries and exercise logs.

The patient's pages and the API both call these functions, so a record is stored, audited and,
when it reports something a person must see (a side effect, a stop sign), advised on and
alerted in the same way whichever way it came in (``diary.alerting``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from backpath.exercises.advice import Advice
from backpath.web.audit.record import record
from backpath.web.diary.alerting import diary_alert, exercise_alert, log_advice
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion


@dataclass(frozen=True)
class Logged:
    """What saving an exercise answer did."""

    log: ExerciseLog
    created: bool
    """False when it replaced the answer already logged for that exercise and day."""
    advice: Advice
    alerted: bool


def add_diary_entry(
    request: HttpRequest,
    patient: Patient,
    episode: Episode | None,
    user: Any,
    fields: dict[str, Any],
    *,
    via: str = "",
) -> tuple[DiaryEntry, Advice | None]:
    """Store one diary entry (``fields``: kind, on, value, answers, ...), audit it (``via``
    names the channel in the audit detail, e.g. "API "), and for a side effect give its
    advice and raise the clinic's alert. Returns the entry and the advice."""
    with transaction.atomic():
        entry = DiaryEntry.objects.create(
            patient=patient, episode=episode, created_by=user, **fields
        )
        record(request, "create", entry, patient=patient, detail=f"{via}diary {entry.kind}")
    advice, _alerted = diary_alert(request, entry)
    return entry, advice


def log_exercise(
    request: HttpRequest,
    patient: Patient,
    episode: Episode,
    version: PlanVersion | None,
    user: Any,
    *,
    on: dt.date,
    exercise: str,
    outcome: str,
    stop_rule: str,
    name: str,
    via: str = "",
) -> Logged:
    """Store how ``exercise`` went on ``on`` (one answer per exercise and day: a new answer
    replaces the old), audit it, and for a stop sign give its advice and raise the alert."""
    with transaction.atomic():
        log, created = ExerciseLog.objects.update_or_create(
            episode=episode,
            on=on,
            exercise=exercise,
            defaults={
                "patient": patient,
                "version": version,
                "outcome": outcome,
                "stop_rule": stop_rule,
                "created_by": user,
            },
        )
        detail = f"{via}exercise log {log.on}: {log.exercise} {log.outcome}" + (
            f" ({stop_rule})" if stop_rule and not via else ""
        )
        record(request, "create" if created else "update", log, patient=patient, detail=detail)
    if stop_rule:
        advice, alerted = exercise_alert(request, log, name)
    else:
        advice, alerted = log_advice(log), False
    return Logged(log, created, advice, alerted)
