"""A consultation request from the public self-check; the only thing the self-check stores."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic


class ConsultationRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        CONVERTED = "converted", "Turned into a patient"
        CLOSED = "closed", "Closed"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="requests")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    answers = models.JSONField(help_text="The self-check answers as a partial intake document.")
    disposition = models.CharField(max_length=30)
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Request from {self.name} ({self.created:%d %b %Y})"
