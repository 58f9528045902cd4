"""Enqueue a task so it never runs before the data it reads is committed.

The embedded queue is a table in the same database: a task queued inside a transaction is
committed, or rolled back, with it, so it is queued at once. Redis (past one machine) is not:
a worker could take the task before the transaction commits, so there it is queued on commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

SAME_DATABASE = ("DatabaseBackend", "ImmediateBackend", "DummyBackend")


def enqueue(task: Any, *args: Any) -> None:
    if type(task.get_backend()).__name__ in SAME_DATABASE:
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args), robust=True)
