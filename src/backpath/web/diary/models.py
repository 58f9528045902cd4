"""The patient's diary: pain and function scores, sessions attended, adverse events."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.patients.models import Episode, Patient


class DiaryEntry(models.Model):
    class Kind(models.TextChoices):
        NRS = "nrs", "Pain now (0-10)"
        PEG = "peg", "PEG (weekly)"
        ODI = "odi", "Oswestry Disability Index"
        RMDQ = "rmdq", "Roland-Morris"
        SESSION = "session", "Treatment session"
        ADVERSE = "adverse_event", "Side effect or adverse event"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary")
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="diary"
    )
    on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.FloatField(null=True, blank=True, help_text="The score, for questionnaires.")
    answers = models.JSONField(default=list, blank=True)
    treatment = models.CharField(max_length=60, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    serious = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["patient", "kind", "on"])]
