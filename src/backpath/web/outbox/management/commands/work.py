"""``python -m backpath.web work``: the background worker (``backpath worker`` runs it, and
``backpath demo`` / ``backpath serve`` start it beside the web server).

It first puts back on the queue every email still unsent (a worker killed mid-task leaves its
task claimed; delivery is idempotent, so a second task for the same email sends nothing more)
and schedules the periodic jobs (``outbox.schedule``), then works the embedded queue with
django-tasks-db's own worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django_tasks import task_backends

from backpath.web.outbox.outbox import retry_unsent
from backpath.web.outbox.schedule import ensure_scheduled

STALE_RUN = dt.timedelta(minutes=10)
"""A periodic run this long past its due time and unfinished had its worker killed."""


class Command(BaseCommand):
    help = "Work the background queue (emails, and later PDFs and scheduled jobs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Stop when the queue is empty.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        again = retry_unsent(older_than=dt.timedelta(0))
        if again:
            self.stderr.write(f"{again} unsent email(s) queued again")
        ensure_scheduled(stale=STALE_RUN)
        if type(task_backends["default"]).__name__ == "RQBackend":  # REDIS_URL is set
            # RQ's forking worker: each job in a fresh work horse, and a SIGTERM stops it
            # promptly (the in-process SimpleWorker was 4x faster here but once outlived a 30 s
            # stop in CI, longer than a deployment's restart can wait).
            rq = ["default", "--with-scheduler", "--job-class", "backpath.web.outbox.rq_job.Job"]
            call_command("rqworker", *rq, *(["--burst"] if batch else []))
            return
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--interval", str(interval), "--no-startup-delay", *extra)
