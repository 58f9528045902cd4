"""Periodic jobs on the queue's own deferred execution: one task per due time however many
workers schedule it, run once, the chain going on from each run, a run left unfinished by a
killed worker queued again; the reminders run as such a job and email each person once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backpath.web.outbox import schedule
from backpath.web.outbox.models import ScheduledRun
from backpath.web.patients.models import Patient
from tests.web.builders import JOB_RUNS, ready

COUNT = {"count": {"function": "tests.web.builders.count_job", "every_minutes": 15}}


@pytest.fixture
def periodic(queue_in_database: Any) -> Any:
    JOB_RUNS.clear()
    with override_settings(BACKPATH_PERIODIC_JOBS=COUNT):
        yield


def run_ready_tasks() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.01")


def test_due_times_fall_on_the_period() -> None:
    at = dt.datetime(2026, 12, 3, 10, 7, tzinfo=dt.UTC)
    assert schedule.next_due(dt.timedelta(minutes=15), at) == at.replace(minute=15)
    assert schedule.next_due(dt.timedelta(minutes=15), at.replace(minute=15)).minute == 30


def test_two_workers_scheduling_at_once_queue_one_task(periodic: Any) -> None:
    now = timezone.now()
    assert schedule.ensure_scheduled(now) == 1
    assert schedule.ensure_scheduled(now) == 0  # the second worker finds it scheduled
    assert ScheduledRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_a_due_run_happens_once_and_schedules_the_next(periodic: Any) -> None:
    past = timezone.now() - dt.timedelta(hours=1)
    schedule.ensure_scheduled(past)  # due some 45 minutes ago: ready to run
    (run,) = ScheduledRun.objects.all()
    schedule.run_job.enqueue("count", run.due.isoformat())  # a duplicate task, as if twice
    run_ready_tasks()
    assert [run.due] == JOB_RUNS
    run.refresh_from_db()
    assert run.finished is not None and run.outcome == "run 1"
    nxt = ScheduledRun.objects.filter(finished__isnull=True).get()
    assert timezone.now() < nxt.due <= timezone.now() + dt.timedelta(minutes=15)


def test_a_run_left_unfinished_by_a_killed_worker_is_queued_again(periodic: Any) -> None:
    past = timezone.now() - dt.timedelta(hours=1)
    schedule.ensure_scheduled(past)
    DBTaskResult.objects.get().claim("worker-killed-by-kill-9")  # claimed, never finished
    run_ready_tasks()
    assert JOB_RUNS == []
    call_command("work", batch=True, interval=0.01)  # a worker starts: it recovers the run
    assert len(JOB_RUNS) == 1


def test_the_reminders_job_emails_each_person_once(patient: Patient) -> None:
    from backpath.web.reminders.reminders import run_due

    ready(patient, hour=0)
    due = timezone.now()
    run_due(due)
    run_due(due)  # the same due time twice (two workers, a retry)
    assert len(mail.outbox) == 1
