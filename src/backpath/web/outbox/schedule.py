"""Periodic jobs on the queue's own deferred execution: each due time of each job
(``settings.BACKPATH_PERIODIC_JOBS``: a dotted function and its period) becomes one
``ScheduledRun`` row and one task queued to run at that time (django-tasks' ``run_after``).

- Exactly once per due time across any number of workers: the row is unique per (job, due
  time), only the worker that creates it queues the task, and a queued task is claimed by one
  worker (the database backend locks it). A run marks its row finished; a second task for the
  same due time finds it finished and does nothing.
- The chain continues from each run (the next due time after now is scheduled before the job
  runs) and
  from every worker start (``ensure_scheduled``), which also queues again a past due time left
  unfinished by a killed worker. The jobs themselves are idempotent (a reminder is recorded as
  sent once per person and day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from backpath.web.outbox.models import ScheduledRun
from backpath.web.outbox.queueing import enqueue

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def jobs() -> dict[str, dict[str, Any]]:
    return dict(getattr(settings, "BACKPATH_PERIODIC_JOBS", {}))


def next_due(period: dt.timedelta, after: dt.datetime) -> dt.datetime:
    """The first multiple of ``period`` (counted from 2000-01-01 UTC) strictly after ``after``."""
    steps = (after - EPOCH) // period + 1
    return EPOCH + steps * period


def _period(spec: dict[str, Any]) -> dt.timedelta:
    return dt.timedelta(minutes=int(spec["every_minutes"]))


def schedule(job: str, due: dt.datetime) -> bool:
    """Queue ``job`` for ``due`` unless that due time is scheduled already."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job, due=due)
            enqueue(run_job.using(run_after=due), job, due.isoformat())
    except IntegrityError:
        return False
    return True


def ensure_scheduled(now: dt.datetime | None = None, stale: dt.timedelta | None = None) -> int:
    """Schedule each job's next due time, and queue again any past due time left unfinished
    for longer than ``stale`` (its worker was killed). Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    for name, spec in jobs().items():
        queued += schedule(name, next_due(_period(spec), now))
        if stale is not None:
            for run in ScheduledRun.objects.filter(job=name, finished__isnull=True,
                                                   due__lt=now - stale):  # fmt: skip
                enqueue(run_job, name, run.due.isoformat())
                queued += 1
    return queued


@task()
def run_job(job: str, due_iso: str) -> str:
    due = dt.datetime.fromisoformat(due_iso)
    spec = jobs().get(job)
    if spec is None:
        return f"unknown job {job!r}"
    # The next due time after now (missed slots after a stop are not all run again; each job
    # catches up by itself), committed first so the chain survives a failing run.
    schedule(job, next_due(_period(spec), max(due, timezone.now())))
    with transaction.atomic():
        run = ScheduledRun.objects.select_for_update().filter(job=job, due=due).first()
        if run is None or run.finished is not None:
            return "already run"
        outcome = str(import_string(spec["function"])(due))[:300]
        run.finished, run.outcome = timezone.now(), outcome
        run.save(update_fields=["finished", "outcome"])
    return outcome
