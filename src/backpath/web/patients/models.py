"""Patients, their episodes of back pain, and the intake of each episode."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from backpath.web.accounts.models import Clinic


def visible_condition(user: Any, path: str = "") -> models.Q | None:
    """The one ownership rule, as a condition on a patient reached through ``path`` (e.g.
    ``"episode__patient__"``): staff see their clinic's patients, a patient only themself;
    None: nobody. A condition lets a lookup through a patient's records check it in its own
    query, without a subquery."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_clinic_staff:
        return models.Q(**{f"{path}clinic_id": user.clinic_id})
    if user.is_patient:
        return models.Q(**{f"{path}user": user})
    return None


class PatientQuerySet(models.QuerySet["Patient"]):
    def visible_to(self, user: Any) -> PatientQuerySet:
        """The patients ``user`` may see (``visible_condition``)."""
        condition = visible_condition(user)
        return self.none() if condition is None else self.filter(condition)


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
    email = models.EmailField(blank=True, help_text="For the login invitation and reminders.")
    mobile = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(
        null=True, blank=True, help_text="Optional; the birth year is taken from it."
    )
    clinic_identifier = models.CharField(
        max_length=64, blank=True,
        help_text="The clinic's own number for this patient (e.g. a medical record number).",
    )  # fmt: skip
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
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "clinic_identifier"],
                condition=~models.Q(clinic_identifier=""),
                name="one_clinic_identifier_per_clinic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.date_of_birth is not None:  # one source of truth when the date is known
            self.birth_year = self.date_of_birth.year
        super().save(*args, **kwargs)

    @property
    def login_state(self) -> str:
        """'none' (no login yet), 'invited' (a link sent, no password chosen yet), 'active',
        or 'deactivated'."""
        user = self.user
        if user is None:
            return "none"
        if not user.is_active:
            return "deactivated"
        return "active" if user.has_usable_password() else "invited"

    def age_on(self, day: Any = None) -> int:
        day = day or timezone.localdate()
        return int(day.year - self.birth_year)

    def current_episode(self) -> Episode | None:
        return self.episodes.filter(closed__isnull=True).order_by("-opened", "-id").first()


class PatientIdentifier(models.Model):
    """An identifier another system gives the patient (an EHR's record number, a national
    number), kept with its system URI so CDS Hooks and SMART launches match on it, never on
    BackPath's database key. The clinic's own number stays ``Patient.clinic_identifier``."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)
    source = models.CharField(
        max_length=120, blank=True, help_text="Where it came from, e.g. the EHR that sent it."
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["system", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "system", "value"], name="one_patient_per_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"


class Episode(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    opened = models.DateField(default=timezone.localdate)
    closed = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=200, default="Back pain")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The clinician responsible for this episode.",
    )  # fmt: skip
    # The plan at a glance, for the worklist to sort and filter in the database; written only
    # by backpath.web.plans.versions whenever a version is stored or published.
    plan_status = models.CharField(max_length=10, default="none",
                                   help_text="none, draft or published")  # fmt: skip
    disposition = models.CharField(max_length=20, blank=True)
    phase = models.CharField(max_length=10, blank=True)
    review_due = models.DateField(null=True, blank=True)

    class Discharge(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        REFERRED_ON = "referred_on", "Referred on"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        PATIENTS_CHOICE = "patients_choice", "The patient's choice"
        NEW_EPISODE = "new_episode", "A new episode was opened"

    discharge_reason = models.CharField(max_length=20, choices=Discharge.choices, blank=True)
    if_pain_returns = models.TextField(blank=True, help_text="What to do if the pain returns.")
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    referral_question = models.TextField(
        blank=True, help_text="The question the referral letter asks the specialist."
    )
    due_by_weekday = models.JSONField(
        default=list, blank=True,
        help_text="Home exercises due on each weekday (Monday first) under the published plan.",
    )  # fmt: skip

    class Meta:
        ordering = ["-opened", "-id"]
        indexes = [models.Index(fields=["clinician", "closed"])]

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
