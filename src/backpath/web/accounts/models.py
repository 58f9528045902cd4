"""Clinics are the tenants; every user but an admin belongs to exactly one clinic."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Clinic(models.Model):
    name = models.CharField(max_length=200, unique=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="Shown to the public beside urgent advice."
    )
    record_number_system = models.CharField(
        max_length=255, blank=True,
        help_text="The identifier system (URI) of the clinic's record numbers, as its EHR "
        "writes it on Patient.identifier; blank: BackPath's own for this clinic.",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    LEAD = "lead", "Clinic lead"
    PATIENT = "patient", "Patient"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = (Role.CLINICIAN, Role.LEAD)


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(clinic__isnull=False),
                name="non_admin_users_belong_to_a_clinic",
            )
        ]

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT
