"""Diary rows to the tracking domain's records, and back out as a ``Progress`` summary.

The one place the web layer maps ``DiaryEntry`` kinds onto ``backpath.tracking`` measures;
the progress page and the clinician's review both read progress through ``progress_for``.
Home-exercise adherence (``adherence_for``) counts the one-tap ``ExerciseLog`` answers against
the exercises due each day under the program published at the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from backpath.engine.program_models import ExerciseLog as DomainExerciseLog
from backpath.engine.program_models import HomeProgram
from backpath.engine.stored_plan import StoredPlan
from backpath.instruments import nrs, odi, rmdq
from backpath.instruments.change import threshold_of
from backpath.instruments.definition import InstrumentDefinition
from backpath.reports.charts import Chart, Series, measure_chart
from backpath.tracking import (
    MEASURE_LABELS,
    MEASURES,
    AdverseEvent,
    Measure,
    Observation,
    Progress,
    SessionRecord,
    summarise,
    threshold_text,
)
from backpath.tracking.records import scale_of
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.patients.models import Episode, Patient

MEASURE_OF_KIND: dict[str, Measure] = {
    "nrs": "nrs",
    "peg": "peg",
    "odi": "odi_percent",
    "rmdq": "rmdq",
}
SCORE_KINDS = tuple(MEASURE_OF_KIND)


def entries_for(patient: Patient, episode: Episode | None) -> Any:
    """The patient's diary for the episode (or the whole diary when there is no episode)."""
    entries = DiaryEntry.objects.filter(patient=patient)
    if episode is not None:
        entries = entries.filter(episode=episode)
    return entries.order_by("on", "id")


def baseline_of(plan: StoredPlan | None) -> dict[Measure, float]:
    """The plan's baseline scores (contract ``scores``), only those recorded."""
    scores = plan.scores.model_dump() if plan else {}
    return {m: scores[m] for m in MEASURES if scores.get(m) is not None}


def records(
    entries: Iterable[DiaryEntry], today: dt.date
) -> tuple[list[Observation], list[SessionRecord], list[AdverseEvent]]:
    observations, sessions, events = [], [], []
    for e in entries:
        if e.on > today:
            continue
        if e.kind in MEASURE_OF_KIND and e.value is not None:
            observations.append(
                Observation(measure=MEASURE_OF_KIND[e.kind], value=e.value, on=e.on)
            )
        elif e.kind == DiaryEntry.Kind.SESSION and e.treatment and e.attended is not None:
            sessions.append(SessionRecord(treatment=e.treatment, on=e.on, attended=e.attended))
        elif e.kind == DiaryEntry.Kind.ADVERSE:
            events.append(
                AdverseEvent(
                    treatment=e.treatment or None,
                    on=e.on,
                    description=e.note or "(no description)",
                    serious=e.serious,
                )
            )
    return observations, sessions, events


def progress_for(
    entries: Iterable[DiaryEntry], plan: StoredPlan | None, today: dt.date
) -> Progress:
    """Summarise the diary against the plan's baseline (raises the domain's ``InvalidInput``)."""
    observations, sessions, events = records(entries, today)
    return summarise(baseline_of(plan), observations, sessions, events, today)


def _series(entries: list[DiaryEntry], kind: str, label: str) -> Series:
    points = [(e.on, float(e.value)) for e in entries if e.kind == kind and e.value is not None]
    return Series(label, points)


def charts_for(entries: Iterable[DiaryEntry], plan: StoredPlan | None) -> list[Chart]:
    """Pain (NRS daily; PEG weekly on a chart of its own when there is any) and function
    (Oswestry and/or Roland-Morris) charts, one series each.

    Scales come from the tracking measures, thresholds from the instruments' data files. A
    function chart is drawn for each questionnaire that has a baseline or an entry; with
    neither, an empty Oswestry chart says that nothing is recorded yet.
    """
    rows = list(entries)
    base = baseline_of(plan)
    charts = [  # one series a chart, so each reads on a phone without a legend to decode
        measure_chart(
            "pain",
            "Pain over time",
            "Score (0 = no pain)",
            scale_of("nrs").high,
            [_series(rows, "nrs", MEASURE_LABELS["nrs"])],
            base.get("nrs"),
            threshold_of(nrs.definition()),
            threshold_text("nrs"),
        )
    ]
    peg_series = _series(rows, "peg", MEASURE_LABELS["peg"])
    if peg_series.points or "peg" in base:
        charts.append(
            measure_chart(
                "peg",
                "Pain and its effect on life (PEG) over time",
                "Score (0 = no pain or limitation)",
                scale_of("peg").high,
                [peg_series],
                base.get("peg"),
                None,
                "",
            )
        )
    function: list[tuple[str, Measure, InstrumentDefinition[Any]]] = [
        ("odi", "odi_percent", odi.definition()),
        ("rmdq", "rmdq", rmdq.definition()),
    ]
    drawn = []
    for kind, measure, definition in function:
        series = _series(rows, kind, MEASURE_LABELS[measure])
        if series.points or measure in base:
            drawn.append(
                measure_chart(
                    kind,
                    f"Daily life over time: {definition.name}",
                    "Score (0 = no limitation)",
                    scale_of(measure).high,
                    [series],
                    base.get(measure),
                    threshold_of(definition),
                    threshold_text(measure),
                )
            )
    if not drawn:
        definition = odi.definition()
        drawn.append(
            measure_chart(
                "odi",
                f"Daily life over time: {definition.name}",
                "Score (0 = no limitation)",
                scale_of("odi_percent").high,
                [Series(MEASURE_LABELS["odi_percent"], [])],
                None,
                None,
                "",
            )
        )
    return charts + drawn


# --- Home exercises: adherence ----------------------------------------------------------------


@dataclass(frozen=True)
class WeekAdherence:
    """One calendar week (Monday to Sunday, or to today) of the home program."""

    start: dt.date
    due: int
    done: int
    too_painful: int
    skipped: int

    @property
    def share(self) -> float | None:
        """Percent of the due exercises marked done; None when nothing was due."""
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def unanswered(self) -> int:
        return self.due - self.done - self.too_painful - self.skipped


@dataclass(frozen=True)
class ExerciseRecord:
    """One exercise of the current program: its last answer and the last seven days."""

    exercise: str
    name: str
    last: ExerciseLog | None
    done_7_days: int
    due_7_days: int


@dataclass(frozen=True)
class Adherence:
    weeks: list[WeekAdherence]
    exercises: list[ExerciseRecord]
    chart: Chart


def exercise_logs_for(patient: Patient, episode: Episode | None) -> Any:
    logs = ExerciseLog.objects.filter(patient=patient)
    if episode is not None:
        logs = logs.filter(episode=episode)
    return logs.order_by("on", "id")


def programs_by_day(episode: Episode | None) -> Callable[[dt.date], HomeProgram | None]:
    """Which home program applied on a day: the one of the version published last before it.

    Superseded versions keep their publishing date, so past weeks are counted against the
    program the person actually had then. Each program is read typed, once
    (``PlanVersion.document``).
    """
    published: list[tuple[dt.date, HomeProgram | None]] = []
    if episode is not None:
        # .all() so a prefetched episode (the outcomes job) reads no more rows
        rows = sorted((v for v in episode.plan_versions.all() if v.published is not None),
                      key=lambda v: v.published)  # fmt: skip
        for version in rows:
            published.append((timezone.localdate(version.published), version.home_program))

    def program_on(day: dt.date) -> HomeProgram | None:
        current = None
        for since, program in published:
            if since > day:
                break
            current = program
        return current

    return program_on


def weekly_adherence(
    program_on: Callable[[dt.date], HomeProgram | None],
    logs: Iterable[DomainExerciseLog],
    start: dt.date,
    today: dt.date,
) -> list[WeekAdherence]:
    """Per calendar week from ``start`` to ``today``: exercises due, and how many were done,
    too painful or skipped. Only exercises due that day count, so a share is at most 100%."""
    answers = {(log.on, log.exercise): log.outcome for log in logs}
    weeks: dict[dt.date, dict[str, int]] = {}
    day = start
    while day <= today:
        monday = day - dt.timedelta(days=day.weekday())
        counts = weeks.setdefault(monday, {"due": 0, "done": 0, "too_painful": 0, "skipped": 0})
        program = program_on(day)
        for item in program.due_on(day) if program else ():
            counts["due"] += 1
            outcome = answers.get((day, item.exercise))
            if outcome is not None:
                counts[outcome] += 1
        day += dt.timedelta(days=1)
    return [WeekAdherence(start=monday, **c) for monday, c in sorted(weeks.items()) if c["due"]]


def adherence_chart(weeks: list[WeekAdherence]) -> Chart:
    points = [(w.start, w.share) for w in weeks if w.share is not None]
    summary = []
    if weeks:
        done, due = sum(w.done for w in weeks), sum(w.due for w in weeks)
        summary.append(f"Over {len(weeks)} week{'s' if len(weeks) != 1 else ''}: {done} of {due} "
                       "exercises due were done.")  # fmt: skip
    return Chart(
        key="adherence",
        title="Home exercises done each week",
        y_label="% of the exercises due",
        y_max=100,
        series=[Series("Done (% of due, week starting)", points)],
        summary=summary,
    )


def adherence_for(
    patient: Patient, episode: Episode | None, program: HomeProgram | None, today: dt.date
) -> Adherence | None:
    """Weekly adherence since the first published program, and per exercise of ``program``
    (the current one) its last answer; None when no program was ever published."""
    program_on = programs_by_day(episode)
    rows = [log for log in exercise_logs_for(patient, episode) if log.on <= today]
    starts = []
    if episode is not None:
        first = episode.plan_versions.filter(published__isnull=False).order_by("published").first()
        if first is not None:
            starts.append(timezone.localdate(first.published))
    if rows:
        starts.append(rows[0].on)
    if program is None and not rows:
        return None
    start = min(starts) if starts else today
    weeks = weekly_adherence(program_on, [r.to_domain() for r in rows], start, today)
    last = {r.exercise: r for r in rows}
    week_ago = today - dt.timedelta(days=6)
    recent = [r for r in rows if r.on >= week_ago]
    exercises = []
    for item in program.exercises if program else ():
        due = sum(
            1
            for k in range(7)
            if (p := program_on(week_ago + dt.timedelta(days=k))) is not None
            and (e := p.find(item.exercise)) is not None
            and e.due_on(week_ago + dt.timedelta(days=k))
        )
        done = sum(1 for r in recent if r.exercise == item.exercise and r.outcome == "done")
        exercises.append(
            ExerciseRecord(item.exercise, item.name, last.get(item.exercise), min(done, due), due)
        )
    return Adherence(weeks, exercises, adherence_chart(weeks))
