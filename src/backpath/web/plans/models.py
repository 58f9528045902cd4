"""Versioned plans: every change is a new version; history is kept, never overwritten."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.patients.models import Episode


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published to the patient"
        SUPERSEDED = "superseded", "Superseded"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveIntegerField()
    plan = models.JSONField(help_text="The plan as contract JSON (backpath.plan/1).")
    profile = models.CharField(max_length=20, default="consensus")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    change_summary = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    published = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"Plan v{self.number} ({self.get_status_display()})"


class PlanChange(models.Model):
    """One clinician decision recorded with its reason (accept, drop, add, note).

    For a change to the home program, ``treatment`` holds the exercise's library id.
    """

    class Action(models.TextChoices):
        ACCEPT = "accept", "Accepted"
        DROP = "drop", "Dropped"
        ADD = "add", "Added"
        ADAPT = "adapt", "Adapted at review"
        PUBLISH = "publish", "Published"
        SWAP_EXERCISE = "swap_exercise", "Exercise swapped"
        ADD_EXERCISE = "add_exercise", "Exercise added"
        REDOSE_EXERCISE = "redose_exercise", "Exercise re-dosed"
        REMOVE_EXERCISE = "remove_exercise", "Exercise removed"
        PROGRESS_EXERCISE = "progress_exercise", "Exercise changed at review"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="changes")
    treatment = models.CharField(max_length=60, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["created", "id"]
