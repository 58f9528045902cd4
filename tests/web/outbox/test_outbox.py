"""Emails in the background on the embedded queue (django-tasks with its database backend and
a real worker): nothing is sent until the worker runs, each email goes out once however
often it is queued or delivered, a failure is kept and retried, and an email whose worker was
killed mid-task is put back on the queue and sent once."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from backpath.web.outbox import outbox
from backpath.web.outbox.models import Email
from tests.web.builders import BROKEN_MAIL


def work() -> None:
    call_command("work", batch=True, interval=0.01)


def test_an_email_waits_for_the_worker_and_goes_out_once(queue_in_database: Any) -> None:
    outbox.queue("invitation:1", "Your login", "Open the link.", ["a@clinic.example"])
    assert mail.outbox == [] and DBTaskResult.objects.count() == 1
    work()
    assert [m.to for m in mail.outbox] == [["a@clinic.example"]]
    assert Email.objects.get().sent is not None
    outbox.queue("invitation:1", "Your login", "Open the link.", ["a@clinic.example"])
    email = Email.objects.get()
    outbox.deliver.enqueue(email.pk)  # delivered twice: still one email
    work()
    assert len(mail.outbox) == 1


def test_a_failed_send_is_kept_and_sent_by_a_later_worker(queue_in_database: Any) -> None:
    with override_settings(EMAIL_BACKEND=BROKEN_MAIL):
        outbox.queue("alert:7", "Alert", "Someone reported a warning sign.", ["c@clinic.example"])
        work()
    email = Email.objects.get()
    assert email.sent is None and email.attempts >= 1 and "ConnectionRefused" in email.last_error
    work()  # a new worker puts unsent emails back on the queue
    email.refresh_from_db()
    assert email.sent is not None and len(mail.outbox) == 1


def test_an_email_whose_worker_was_killed_mid_task_is_sent_once(queue_in_database: Any) -> None:
    outbox.queue("invitation:2", "Your login", "Open the link.", ["b@clinic.example"])
    task = DBTaskResult.objects.get()
    task.claim("worker-killed-by-kill-9")  # claimed and running, then the process died
    assert DBTaskResult.objects.ready().count() == 0
    work()
    assert [m.to for m in mail.outbox] == [["b@clinic.example"]]
    work()
    assert len(mail.outbox) == 1


def test_in_the_tests_tasks_run_at_once(db: Any) -> None:
    outbox.queue("note:1", "Note", "Body", ["d@clinic.example"])
    assert len(mail.outbox) == 1
