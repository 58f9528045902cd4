"""The outcomes job: recompute every episode's result for a clinic, refit its case-mix model,
and store each episode's expected chance to respond.

It runs on the task queue: nightly for every clinic (``refresh_all``, a periodic job in
``BACKPATH_PERIODIC_JOBS``), and when a lead asks for fresh figures. It is idempotent: a run
rewrites the same rows from the same records, so a run repeated after a killed worker, or two
runs at once, leave the same result.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from backpath.errors import InvalidInput
from backpath.outcomes import CaseMix, CaseMixModel, TooFew, fit, outcome_of
from backpath.web.accounts.models import Clinic
from backpath.web.outbox.queueing import enqueue
from backpath.web.outcomes.facts import EPISODE_PREFETCH, EPISODE_RELATED, facts_of
from backpath.web.outcomes.models import CaseMixFit, EpisodeOutcome, EpisodeTreatment
from backpath.web.patients.models import Episode
from backpath.web.replica import primary_only

log = logging.getLogger(__name__)
BATCH = 500
MEASURE_COLUMNS = {"nrs": "responder_nrs", "peg": "responder_peg",
                   "odi_percent": "responder_odi", "rmdq": "responder_rmdq"}  # fmt: skip
FIELDS = [
    "patient", "clinic", "clinician", "opened", "closed", "phase", "startback", "age",
    "duration_weeks", "primary", "baseline_severity", "responder", *MEASURE_COLUMNS.values(),
    "days_to_response", "baseline_done", "review_done", "discharge_done", "red_flag_referral",
    "sessions", "adverse_events", "serious_adverse_events", "exercises_due", "exercises_done",
    "computed",
]  # fmt: skip


@dataclass(frozen=True)
class Refreshed:
    episodes: int
    skipped: int
    model: CaseMixModel | TooFew

    def __str__(self) -> str:
        fitted = "fitted" if isinstance(self.model, CaseMixModel) else "too few to fit"
        return f"{self.episodes} episodes, {self.skipped} unreadable, case-mix model {fitted}"


def _row(
    episode: Episode, today: dt.date, now: dt.datetime
) -> tuple[EpisodeOutcome, dict[str, tuple[bool, int]]]:
    facts = facts_of(episode, today)
    result = outcome_of(facts, today)
    row = EpisodeOutcome(
        episode=episode, patient_id=episode.patient_id, clinic_id=episode.patient.clinic_id,
        clinician_id=episode.clinician_id, opened=facts.opened, closed=facts.closed,
        phase=facts.phase or "", startback=facts.startback or "", age=facts.age,
        duration_weeks=facts.duration_weeks, primary=result.primary or "",
        baseline_severity=result.baseline_severity, responder=result.responder,
        days_to_response=result.days_to_response, baseline_done=result.baseline_done,
        review_done=result.review_done, discharge_done=result.discharge_done,
        red_flag_referral=result.red_flag_referral, sessions=sum(facts.sessions.values()),
        adverse_events=facts.adverse_events, serious_adverse_events=facts.serious_adverse_events,
        exercises_due=facts.exercises_due, exercises_done=facts.exercises_done, computed=now,
    )  # fmt: skip
    for measure, column in MEASURE_COLUMNS.items():
        setattr(row, column, result.by_measure.get(measure))  # type: ignore[call-overload]
    treatments = {t: (True, facts.sessions.get(t, 0)) for t in facts.accepted}
    for t, count in facts.sessions.items():
        treatments.setdefault(t, (False, count))
    return row, treatments


def _write(rows: list[tuple[EpisodeOutcome, dict[str, tuple[bool, int]]]]) -> None:
    with transaction.atomic():
        EpisodeOutcome.objects.bulk_create(
            [r for r, _ in rows], update_conflicts=True, unique_fields=["episode"],
            update_fields=FIELDS,
        )  # fmt: skip
        ids = dict(EpisodeOutcome.objects.filter(episode__in=[r.episode_id for r, _ in rows])
                   .values_list("episode_id", "id"))  # fmt: skip
        EpisodeTreatment.objects.filter(outcome_id__in=ids.values()).delete()
        EpisodeTreatment.objects.bulk_create(
            EpisodeTreatment(outcome_id=ids[r.episode_id], treatment=t, in_plan=p, sessions=n)
            for r, treatments in rows
            for t, (p, n) in treatments.items()
        )


def refresh_clinic(clinic_id: int, today: dt.date | None = None) -> Refreshed:
    """Recompute the clinic's episode outcomes, refit its model and store expected chances.

    It reads back what it has just written, so it reads the primary, never a replica that
    may not have caught up."""
    with primary_only():
        return _refresh(clinic_id, today)


def _refresh(clinic_id: int, today: dt.date | None) -> Refreshed:
    today = today or timezone.localdate()
    now = timezone.now()
    episodes = (
        Episode.objects.filter(patient__clinic_id=clinic_id)
        .select_related(*EPISODE_RELATED)
        .prefetch_related(*EPISODE_PREFETCH)
        .order_by("pk")
        .iterator(chunk_size=BATCH)
    )
    done = skipped = 0
    while batch := list(islice(episodes, BATCH)):
        rows = []
        for episode in batch:
            try:
                rows.append(_row(episode, today, now))
            except InvalidInput as exc:  # a diary score off its scale, written by hand
                log.warning("episode %s left out of outcomes: %s", episode.pk, exc)
                skipped += 1
        if rows:
            _write(rows)
        done += len(rows)
    model = refit(clinic_id, now)
    return Refreshed(done, skipped, model)


def _case_mix(row: dict[str, Any]) -> CaseMix:
    return CaseMix(row["baseline_severity"], row["phase"] or None, row["startback"] or None,
                   row["age"], row["duration_weeks"])  # fmt: skip


def refit(clinic_id: int, now: dt.datetime) -> CaseMixModel | TooFew:
    """Fit the case-mix model on the clinic's closed episodes with a known outcome, then give
    every episode of the clinic its expected chance (None without a model)."""
    columns = ("id", "baseline_severity", "phase", "startback", "age", "duration_weeks")
    outcomes = EpisodeOutcome.objects.filter(clinic_id=clinic_id)
    closed = outcomes.filter(closed__isnull=False, responder__isnull=False)
    model = fit([(_case_mix(r), r["responder"])
                 for r in closed.values(*columns, "responder")])  # fmt: skip
    with transaction.atomic():
        CaseMixFit.objects.update_or_create(
            clinic_id=clinic_id,
            defaults={
                "fitted": now,
                "model": model.to_dict() if isinstance(model, CaseMixModel) else None,
                "episodes": model.episodes,
                "responders": model.responders,
                "note": "" if isinstance(model, CaseMixModel) else model.reason,
            },
        )
        if isinstance(model, TooFew):
            outcomes.exclude(expected=None).update(expected=None)
            return model
        rows = list(outcomes.values(*columns))
        for start in range(0, len(rows), BATCH):
            EpisodeOutcome.objects.bulk_update(
                [EpisodeOutcome(id=r["id"], expected=model.chance(_case_mix(r)))
                 for r in rows[start : start + BATCH]],
                ["expected"],
            )  # fmt: skip
    return model


@task()
def refresh_outcomes(clinic_id: int) -> str:
    """The queued form of ``refresh_clinic``."""
    return str(refresh_clinic(clinic_id))


def refresh_all(due: dt.datetime | None = None) -> str:
    """The nightly job: queue one refresh per clinic, so several workers share the work."""
    ids = list(Clinic.objects.values_list("pk", flat=True))
    for clinic_id in ids:
        enqueue(refresh_outcomes, clinic_id)
    return f"queued the outcomes of {len(ids)} clinics"
