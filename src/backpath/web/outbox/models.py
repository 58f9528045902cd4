"""An email BackPath has decided to send: written in the same transaction as the change that
causes it, sent by a background task, marked sent once. Its ``key`` names the event (an
invitation, an alert), so deciding twice still sends one email."""

from __future__ import annotations

from django.db import models


class Email(models.Model):
    key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(help_text="The addresses, a list.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.key} ({'sent' if self.sent else 'waiting'})"


class ScheduledRun(models.Model):
    """One due time of a periodic job: made once (the unique constraint), so one task is
    queued per due time however many workers schedule; ``finished`` says it ran."""

    job = models.CharField(max_length=60)
    due = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-due", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "due"], name="one_run_per_due_time")]

    def __str__(self) -> str:
        return f"{self.job} at {self.due:%Y-%m-%d %H:%M}"
