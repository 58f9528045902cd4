"""The patient's diary: pain and function scores, sessions attended, adverse events, and
the one-tap log of home exercises."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.engine.program_models import OUTCOME_LABELS
from backpath.engine.program_models import ExerciseLog as DomainExerciseLog
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion


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


class ExerciseLog(models.Model):
    """One tap in the today view: what happened with one home exercise on one day.

    One row per (episode, day, exercise): a second tap the same day changes the answer
    (``update_or_create``), so adherence counts each due exercise once.
    """

    class Outcome(models.TextChoices):
        DONE = "done", OUTCOME_LABELS["done"]
        TOO_PAINFUL = "too_painful", OUTCOME_LABELS["too_painful"]
        SKIPPED = "skipped", OUTCOME_LABELS["skipped"]

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="exercise_logs")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="exercise_logs")
    version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exercise_logs",
        help_text="The published plan version whose program was followed.",
    )
    on = models.DateField()
    exercise = models.CharField(max_length=60, help_text="Exercise library id.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    stop_rule = models.CharField(
        max_length=60, blank=True, help_text="The stop rule the person reported (library id)."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "on", "exercise"], name="one_exercise_log_per_day"
            )
        ]
        indexes = [models.Index(fields=["patient", "on"])]

    def __str__(self) -> str:
        return f"{self.exercise} on {self.on}: {self.get_outcome_display()}"

    def to_domain(self) -> DomainExerciseLog:
        """The engine's shape, for ``suggest_progress`` and adherence."""
        return DomainExerciseLog(
            on=self.on,
            exercise=self.exercise,
            outcome=self.outcome,  # type: ignore[arg-type]
            stop_rule=self.stop_rule or None,
        )
