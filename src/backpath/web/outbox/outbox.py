"""Emails in the background (Django's Tasks API, the ``django-tasks`` backport): ``queue``
writes the email and enqueues its delivery; ``deliver`` sends it once.

- The email row and the queued task are written in the caller's transaction (the embedded
  queue is a database table), so a change that is rolled back sends nothing.
- ``deliver`` locks the row and sends only if it is not marked sent: a task run twice (a
  retried task, two workers) sends one email. A worker killed between the mail server's
  acceptance and the commit is the one case that can send a copy again; ``recover`` puts
  tasks of killed workers back on the queue.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import task

from backpath.web.outbox.models import Email
from backpath.web.outbox.queueing import enqueue

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5

email_failed = Signal()
"""Sent with ``key`` and ``error`` when a delivery fails, so the app that queued the email can
say so where people look (an alert shows why its email did not go out)."""
email_sent = Signal()
"""Sent with ``key`` when an email went out."""


def queue(key: str, subject: str, body: str, to: list[str]) -> Email:
    """Write the email once per ``key`` and enqueue its delivery."""
    email, created = Email.objects.get_or_create(
        key=key[:200], defaults={"subject": subject[:300], "body": body, "to": to}
    )
    if created:
        enqueue(deliver, email.pk)
    return email


@task()
def deliver(email_id: int) -> str:
    """Send the email unless it was sent already; a failure is kept on the row and raised,
    so the task shows as failed and ``retry_failed`` can try again."""
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent is not None:
            return "already sent" if email else "no such email"
        email.attempts += 1
        try:
            EmailMessage(email.subject, email.body, to=list(email.to)).send(fail_silently=False)
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:300]
            Email.objects.filter(pk=email.pk).update(
                attempts=email.attempts, last_error=email.last_error
            )
            log.warning("email %s (%s) failed: %s", email.pk, email.key, email.last_error)
            email_failed.send(sender=Email, key=email.key, error=f"{exc}")
            return f"failed: {email.last_error}"
        email.sent = timezone.now()
        email.last_error = ""
        email.save(update_fields=["sent", "attempts", "last_error"])
    email_sent.send(sender=Email, key=email.key)
    return "sent"


def retry_unsent(older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Enqueue again every unsent email older than ``older_than`` with attempts left: the
    delivery of a failed send, or of a worker killed mid-task. Returns how many."""
    cutoff = timezone.now() - older_than
    waiting = Email.objects.filter(sent__isnull=True, created__lt=cutoff,
                                   attempts__lt=MAX_ATTEMPTS)  # fmt: skip
    ids = list(waiting.values_list("pk", flat=True))
    for pk in ids:
        enqueue(deliver, pk)
    return len(ids)
