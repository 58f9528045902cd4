"""The RQ job class the worker runs tasks with when the queue is on Redis.

The worker runs its jobs one after another in its own process (RQ's ``SimpleWorker``: forking
a process per email cost 4 in 5 of the throughput), so, as Django does around each request, a
database
connection that a previous job left broken or past its age is closed before and after each job;
the next query opens a fresh one.
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from django_tasks_rq import Job as TasksJob


class Job(TasksJob):
    def perform(self) -> Any:
        close_old_connections()
        try:
            return super().perform()
        finally:
            close_old_connections()
