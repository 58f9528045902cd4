"""The RQ job class the worker runs tasks with when the queue is on Redis.

As Django does around each request, a database connection that a previous job left broken or
past its age is closed before and after each job, so the next query opens a fresh one. (A
forked work horse starts without one; a worker that runs jobs in its own process, such as the
tests' ``SimpleWorker``, reuses its connection.)
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
