"""Patients, their episodes of back pain, and the intake of each episode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from backpath.web.accounts.models import Clinic


class PatientQuerySet(models.QuerySet["Patient"]):
    def visible_to(self, user: Any) -> PatientQuerySet:
        """The one ownership rule: staff see their clinic's patients, a patient only themself."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_clinic_staff:
            return self.filter(clinic_id=user.clinic_id)
        if user.is_patient:
            return self.filter(user=user)
        return self.none()


class Patient(models.Model):
    SEX_CHOICES = [("female", "Female"), ("male", "Male"), ("other", "Other"),
                   ("unknown", "Not recorded")]  # fmt: skip

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    sex = models.CharField(max_length=10, choices=SEX_CHOICES, default="unknown")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="patient_record",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: Any = None) -> int:
        day = day or timezone.localdate()
        return int(day.year - self.birth_year)

    def current_episode(self) -> Episode | None:
        return self.episodes.filter(closed__isnull=True).order_by("-opened", "-id").first()


class Episode(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    opened = models.DateField(default=timezone.localdate)
    closed = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=200, default="Back pain")

    class Meta:
        ordering = ["-opened", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.opened:%d %b %Y})"


class Intake(models.Model):
    """The intake document (``backpath.intake/1``) built step by step; one per episode."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="intake")
    data = models.JSONField(default=dict)
    completed_steps = models.JSONField(default=list)
    completed = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Intake for {self.episode}"
