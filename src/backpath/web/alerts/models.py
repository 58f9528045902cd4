"""Alerts: something a patient reported that a person at the clinic must see and acknowledge.

Written only by ``backpath.web.alerts.notify`` (one writer for pages and API alike). An alert
stays open until a clinician of the clinic acknowledges it; it is never deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic
from backpath.web.patients.models import Patient


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: Any) -> AlertQuerySet:
        """Clinic staff see their clinic's alerts; nobody else sees any."""
        if getattr(user, "is_authenticated", False) and user.is_clinic_staff:
            return self.filter(clinic_id=user.clinic_id)
        return self.none()

    def open(self) -> AlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class Alert(models.Model):
    class Origin(models.TextChoices):
        EXERCISE_LOG = "exercise_log", "Exercise log"
        ADVERSE_EVENT = "adverse_event", "Side effect or adverse event (diary)"
        SELFCHECK = "selfcheck", "Public self-check"
        QUESTIONNAIRE = "questionnaire", "Questionnaire filled in by the patient"

    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        URGENT = "urgent", "Same day"
        CONTACT_CLINIC = "contact_clinic", "Contact the clinic"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="alerts")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts",
        help_text="Empty for a self-check visitor who is not a patient yet.",
    )  # fmt: skip
    consultation_request = models.ForeignKey(
        "selfcheck.ConsultationRequest", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="alerts",
    )  # fmt: skip
    origin = models.CharField(max_length=20, choices=Origin.choices)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    severity = models.PositiveSmallIntegerField(help_text="3 emergency, 2 urgent, 1 contact.")
    reported = models.CharField(max_length=500, help_text="What was reported, in plain words.")
    advice = models.TextField(help_text="The advice the person was shown at once.")
    key = models.CharField(
        max_length=120, blank=True, help_text="The report it came from; one alert per report."
    )
    created = models.DateTimeField(auto_now_add=True)
    emailed_to = models.CharField(max_length=500, blank=True)
    email_problem = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-severity", "created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "key"], condition=~models.Q(key=""), name="one_alert_per_report"
            )
        ]
        indexes = [models.Index(fields=["clinic", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} alert ({self.get_origin_display()})"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
