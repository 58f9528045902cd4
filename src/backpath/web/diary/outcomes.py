"""Diary rows to the tracking domain's records, and back out as a ``Progress`` summary.

The one place the web layer maps ``DiaryEntry`` kinds onto ``backpath.tracking`` measures;
the progress page and the clinician's review both read progress through ``progress_for``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from backpath.instruments import nrs, odi, rmdq
from backpath.instruments.change import threshold_of
from backpath.instruments.definition import InstrumentDefinition
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
from backpath.web.diary.charts import Chart, Series, measure_chart
from backpath.web.diary.models import DiaryEntry
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


def baseline_of(plan: dict[str, Any] | None) -> dict[Measure, float]:
    """The plan's baseline scores (contract ``scores``), only those recorded."""
    scores = (plan or {}).get("scores") or {}
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
    entries: Iterable[DiaryEntry], plan: dict[str, Any] | None, today: dt.date
) -> Progress:
    """Summarise the diary against the plan's baseline (raises the domain's ``InvalidInput``)."""
    observations, sessions, events = records(entries, today)
    return summarise(baseline_of(plan), observations, sessions, events, today)


def _series(entries: list[DiaryEntry], kind: str, label: str) -> Series:
    points = [(e.on, float(e.value)) for e in entries if e.kind == kind and e.value is not None]
    return Series(label, points)


def charts_for(entries: Iterable[DiaryEntry], plan: dict[str, Any] | None) -> list[Chart]:
    """Pain (NRS daily with PEG weekly) and function (Oswestry and/or Roland-Morris) charts.

    Scales come from the tracking measures, thresholds from the instruments' data files. A
    function chart is drawn for each questionnaire that has a baseline or an entry; with
    neither, an empty Oswestry chart says that nothing is recorded yet.
    """
    rows = list(entries)
    base = baseline_of(plan)
    charts = [
        measure_chart(
            "pain",
            "Pain over time",
            "Score (0 = no pain)",
            scale_of("nrs").high,
            [
                _series(rows, "nrs", MEASURE_LABELS["nrs"]),
                _series(rows, "peg", MEASURE_LABELS["peg"]),
            ],
            base.get("nrs"),
            threshold_of(nrs.definition()),
            threshold_text("nrs"),
        )
    ]
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
