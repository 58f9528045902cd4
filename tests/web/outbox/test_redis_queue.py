"""Past one machine: with REDIS_URL the tasks go through RQ on Redis (django-tasks-rq). A task
is queued only once its transaction has committed, an RQ worker delivers the email, and
delivering it again sends nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from backpath.web.outbox import outbox
from backpath.web.outbox.models import Email

REDIS = "redis://127.0.0.1:6379/14"
"""A database of the local Redis for these tests alone (the two-process test uses 13); two
test runs at once on one machine would share it, as they would share PostgreSQL."""


@pytest.fixture
def redis_queue(transactional_db: Any) -> Iterator[None]:
    import redis

    connection = redis.Redis.from_url(REDIS)
    try:
        connection.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=tasks, RQ_QUEUES={"default": {"URL": REDIS}}):
        yield
    connection.flushdb()


def rq_worker() -> None:
    call_command("rqworker", "default", "--burst", "--worker-class", "rq.worker.SimpleWorker",
                 "--job-class", "backpath.web.outbox.rq_job.Job")  # fmt: skip


def test_an_rq_worker_delivers_the_email_once(redis_queue: None) -> None:
    import django_rq
    from django.db import connection
    from django_tasks import task_backends

    assert not connection.in_atomic_block  # so the task is queued as the change commits
    assert type(task_backends["default"]).__name__ == "RQBackend"
    outbox.queue("invitation:9", "Your login", "Open the link.", ["r@clinic.example"])
    assert mail.outbox == [] and Email.objects.count() == 1
    assert django_rq.get_queue("default").count == 1
    rq_worker()
    assert [m.to for m in mail.outbox] == [["r@clinic.example"]]
    outbox.deliver.enqueue(Email.objects.get().pk)  # delivered again: nothing more is sent
    rq_worker()
    assert len(mail.outbox) == 1


def test_nothing_is_queued_for_a_transaction_that_rolls_back(redis_queue: None) -> None:
    import django_rq
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue("invitation:10", "Your login", "Open the link.", ["s@clinic.example"])
        raise RuntimeError("the change failed")
    assert django_rq.get_queue("default").count == 0 and not Email.objects.exists()
