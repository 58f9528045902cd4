"""Versioned plans: every saved change is a new version; history is kept, never overwritten.

A clinician's edits collect in one working draft (``in_progress``) until they save it: the
draft is the next version, amended in place by each edit (``revision`` counts them) and
recorded change by change in ``PlanChange``; once saved, published or built on, it is sealed.
"""

from __future__ import annotations

import logging
from functools import cached_property

from django.conf import settings
from django.db import models

from backpath.engine.program_models import HomeProgram
from backpath.engine.stored_plan import StoredPlan, read_stored_plan
from backpath.errors import InvalidInput
from backpath.web.patients.models import Episode

log = logging.getLogger(__name__)


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
    in_progress = models.BooleanField(
        default=False,
        help_text="A working draft that its author's next edit amends, until saved or published.",
    )
    revision = models.PositiveIntegerField(
        default=0, help_text="Edits made to this version while it was a working draft."
    )

    class Meta:
        ordering = ["episode", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"Plan v{self.number} ({self.get_status_display()})"

    @cached_property
    def document(self) -> StoredPlan:
        """The stored plan as one typed model, validated once when first read (the one
        writer, ``versions.create_version``, validated it before storing it).

        Raises:
            InvalidInput: a row written outside that writer does not fit (names the field).
        """
        return read_stored_plan(self.plan)

    @cached_property
    def unreadable(self) -> str | None:
        """Why the stored document cannot be read (``field: message``), else None: what the
        pages tell the person instead of failing. Only a row written outside
        ``create_version`` (by hand, or before it validated) can be unreadable."""
        try:
            _ = self.document  # validated once, then cached
        except InvalidInput as exc:
            log.warning("plan version %s cannot be read: %s", self.pk, exc)
            return str(exc)
        return None

    @property
    def home_program(self) -> HomeProgram | None:
        """The home program, or None when the plan has none or cannot be read (logged):
        reminders, the calendar and the API treat an unreadable program as no program."""
        return None if self.unreadable else self.document.home_program


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


class Printout(models.Model):
    """A version's PDF (the clinician's plan, or the patient's handout), rendered once in the
    background and kept: a version never changes, so neither does its PDF."""

    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        EVIDENCE = "evidence", "Plan with its evidence appendix"
        HANDOUT = "handout", "Home program handout"
        REFERRAL = "referral", "Referral letter"
        DISCHARGE = "discharge", "Discharge summary"
        SUMMARY = "summary", "Patient summary"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="printouts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    pdf = models.BinaryField(null=True, blank=True)
    queued = models.DateTimeField(auto_now_add=True)
    rendered = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="one_printout_per_kind")
        ]
