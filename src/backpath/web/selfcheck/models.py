"""A consultation request from the public self-check; the only thing the self-check stores."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic


class ConsultationRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        BOOKED = "booked", "Booked"
        DECLINED = "declined", "Declined"
        SPAM = "spam", "Spam"

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

    @property
    def red_flags(self) -> bool:
        """The self-check's answers called for urgent or emergency care."""
        return self.disposition in ("emergency", "urgent_referral")


class RequestChange(models.Model):
    """One change of a request's state: who, when, from what to what."""

    request = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE,
                                related_name="changes")  # fmt: skip
    old = models.CharField(max_length=20)
    new = models.CharField(max_length=20)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def new_label(self) -> str:
        return str(dict(ConsultationRequest.Status.choices).get(self.new, self.new))
