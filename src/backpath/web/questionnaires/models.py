"""A set of questionnaires sent to a patient, and what came back."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from backpath.web.patients.models import Episode, Patient


class QuestionnaireRequest(models.Model):
    class Purpose(models.TextChoices):
        INTAKE = "intake", "Before the first visit (intake)"
        REVIEW = "review", "For the review"
        DISCHARGE = "discharge", "At discharge"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email with a link"
        LINK = "link", "A link or QR code given to the patient"
        APP = "app", "In the patient's app"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="questionnaires")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="questionnaires")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    instruments = models.JSONField(help_text="Instrument ids, in the order asked.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    due = models.DateField(help_text="Answers are overdue after this day.")
    token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True,
        help_text="SHA-256 of the one-time link's secret; cleared once answered.",
    )  # fmt: skip
    expires = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    reminded = models.DateTimeField(null=True, blank=True)
    completed = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True, help_text="Each result, when returned.")
    confirmed = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")  # fmt: skip

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["patient", "completed", "confirmed"]),
                   models.Index(fields=["episode", "purpose", "due"])]  # fmt: skip

    def __str__(self) -> str:
        return f"Questionnaires for {self.patient} ({self.get_purpose_display()})"

    @property
    def state(self) -> str:
        """waiting, returned (not yet confirmed), confirmed or expired."""
        if self.confirmed:
            return "confirmed"
        if self.completed:
            return "returned"
        return "waiting"

    def is_overdue(self, today: Any) -> bool:
        return self.completed is None and self.due < today
