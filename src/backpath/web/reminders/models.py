"""Who wants an email reminder, when, and which reminders went out.

``ReminderSent`` is the ledger that makes ``backpath send-reminders`` idempotent: one row per
patient, day and kind, enforced by a unique constraint in the database, so two runs at once
(cron overlapping a manual run, two servers) cannot both claim the same reminder.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from backpath.web.patients.models import Patient


def clinic_zone() -> zoneinfo.ZoneInfo:
    """The clinic's time zone: the server's ``TIME_ZONE`` (clinics carry no zone of their own)."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class ReminderPreference(models.Model):
    """Opt-in: nothing is sent until the patient turns reminders on."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    enabled = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    hour = models.PositiveSmallIntegerField(
        default=8, validators=[MaxValueValidator(23)], help_text="Local hour, 0 to 23."
    )
    timezone = models.CharField(
        max_length=64, blank=True, help_text="An IANA zone such as Europe/London; blank: clinic's."
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Reminders for {self.patient} ({'on' if self.enabled else 'off'})"

    def zone(self) -> zoneinfo.ZoneInfo:
        if self.timezone:
            try:
                return zoneinfo.ZoneInfo(self.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass  # a zone removed from tzdata since it was chosen: fall back, do not crash
        return clinic_zone()


class ReminderSent(models.Model):
    """One claimed reminder. ``sending`` is written before the email goes out and never
    retried (the send may have happened), ``failed`` is retried by the next run."""

    class Kind(models.TextChoices):
        PROGRAM = "program", "Today's home exercises"

    class Status(models.TextChoices):
        SENDING = "sending", "Being sent (or interrupted)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed; retried next run"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders_sent")
    on = models.DateField(help_text="The patient's local day the reminder is for.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROGRAM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    email = models.EmailField()
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-on", "patient_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "on", "kind"], name="one_reminder_per_patient_day_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.patient} on {self.on}: {self.status}"


class CalendarFeed(models.Model):
    """A secret link to the patient's plan as a subscribable calendar (no sign-in needed).

    Only the SHA-256 of the secret is stored, so the full link is shown once, when it is
    made. Stopping a link sets ``revoked``; a patient has at most one live link (making a new
    one stops the old). ``backpath.web.reminders.feed`` is the one writer.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    revoked = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(revoked__isnull=True),
                name="one_live_calendar_feed_per_patient",
            )
        ]

    def __str__(self) -> str:
        state = "stopped" if self.revoked else "live"
        return f"Calendar link for {self.patient} ({state})"
