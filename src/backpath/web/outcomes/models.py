"""Each episode's result, one row per episode, rewritten by the aggregation job.

The rows are derived data: the diary, plans and episodes stay the record; these are what the
dashboard counts, so a page aggregates a few indexed columns in the database instead of
reading every diary row. ``clinic`` and ``clinician`` are copied from the episode so the
dashboard's filters are one indexed table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic
from backpath.web.patients.models import Episode, Patient


class EpisodeOutcome(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="outcome")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    opened = models.DateField()
    closed = models.DateField(null=True, blank=True)
    phase = models.CharField(max_length=10, blank=True)
    startback = models.CharField(max_length=10, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_weeks = models.FloatField(null=True, blank=True)
    primary = models.CharField(max_length=20, blank=True, help_text="The primary measure.")
    baseline_severity = models.FloatField(null=True, blank=True)
    responder = models.BooleanField(null=True, blank=True)
    responder_nrs = models.BooleanField(null=True, blank=True)
    responder_peg = models.BooleanField(null=True, blank=True)
    responder_odi = models.BooleanField(null=True, blank=True)
    responder_rmdq = models.BooleanField(null=True, blank=True)
    days_to_response = models.PositiveIntegerField(null=True, blank=True)
    expected = models.FloatField(
        null=True, blank=True, help_text="The case-mix model's chance to respond."
    )
    baseline_done = models.BooleanField(default=False)
    review_done = models.BooleanField(null=True, blank=True)
    discharge_done = models.BooleanField(null=True, blank=True)
    red_flag_referral = models.BooleanField(default=False)
    sessions = models.PositiveIntegerField(default=0, help_text="Clinic sessions attended.")
    adverse_events = models.PositiveIntegerField(default=0)
    serious_adverse_events = models.PositiveIntegerField(default=0)
    exercises_due = models.PositiveIntegerField(default=0)
    exercises_done = models.PositiveIntegerField(default=0)
    computed = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "closed"]),
            models.Index(fields=["clinic", "opened"]),
            models.Index(fields=["clinician", "closed"]),
        ]


class EpisodeTreatment(models.Model):
    """A treatment the episode's plan included, or that sessions were logged for."""

    outcome = models.ForeignKey(EpisodeOutcome, on_delete=models.CASCADE,
                                related_name="treatments")  # fmt: skip
    treatment = models.CharField(max_length=60)
    in_plan = models.BooleanField(default=False)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outcome", "treatment"], name="one_row_per_treatment")
        ]
        indexes = [models.Index(fields=["treatment"])]


class CaseMixFit(models.Model):
    """The clinic's latest case-mix model (or why there is none), refitted nightly."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    fitted = models.DateTimeField()
    model = models.JSONField(null=True, blank=True)
    episodes = models.PositiveIntegerField(default=0)
    responders = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
