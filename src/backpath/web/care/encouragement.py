"""The patient's streak and weekly summary for Today, read from their own rows.

Rows in, one domain call (``backpath.engine.encouragement``) out: the days a program
applied come from the published versions (``programs_by_day``), so a past week is counted
against the program the patient had then.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from backpath.engine.encouragement import Encouragement, encouragement
from backpath.web.diary.models import DiaryEntry
from backpath.web.diary.outcomes import entries_for, exercise_logs_for, programs_by_day
from backpath.web.patients.models import Episode, Patient

LOOK_BACK = 400
"""Days of logs read: the streak stops at a year, the summary needs two weeks."""


def for_today(patient: Patient, episode: Episode | None, today: dt.date) -> Encouragement | None:
    """None before any program was published in this episode (nothing to encourage yet)."""
    if episode is None:
        return None
    first = episode.plan_versions.filter(published__isnull=False).order_by("published").first()
    if first is None:
        return None
    program_on = programs_by_day(episode)

    def due_on(day: dt.date) -> tuple[str, ...]:
        program = program_on(day)
        return tuple(e.exercise for e in program.due_on(day)) if program else ()

    since = today - dt.timedelta(days=LOOK_BACK)
    logs = [r.to_domain() for r in exercise_logs_for(patient, episode).filter(on__gte=since)]
    entries = list(entries_for(patient, episode).filter(on__gte=today - dt.timedelta(days=14))
                   .values_list("on", "kind", "value"))  # fmt: skip
    pain = [(on, v) for on, kind, v in entries if kind == DiaryEntry.Kind.NRS and v is not None]
    return encouragement(
        today,
        timezone.localdate(first.published),
        due_on,
        logs,
        [on for on, _kind, _value in entries],
        pain,
    )
