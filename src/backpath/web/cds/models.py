"""The cards BackPath sent to EHRs, and the feedback EHRs sent back about them.

A card is kept (its ``uuid``, indicator and summary, whom it went to) so that feedback can be
checked against the cards this clinic was actually sent and shown to the lead with the card it
is about. Feedback is stored as received, one row per card outcome (a client may report the
same card more than once, as the specification allows).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic
from backpath.web.ehrs.models import EhrRegistration


class IssuedCard(models.Model):
    uuid = models.UUIDField(unique=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        EhrRegistration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    caller = models.CharField(max_length=150, help_text="The EHR or token user it went to.")
    hook_instance = models.CharField(max_length=36)
    indicator = models.CharField(max_length=10)
    summary = models.CharField(max_length=140)
    issued = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.indicator}: {self.summary}"


class CardFeedback(models.Model):
    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        OVERRIDDEN = "overridden", "Overridden"

    card = models.ForeignKey(IssuedCard, on_delete=models.CASCADE, related_name="feedback")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        EhrRegistration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The token's user, when sent with an API token.",
    )  # fmt: skip
    caller = models.CharField(max_length=150)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    accepted_suggestions = models.JSONField(default=list, blank=True)
    reason_system = models.CharField(max_length=255, blank=True)
    reason_code = models.CharField(max_length=255, blank=True)
    reason_display = models.CharField(max_length=255, blank=True)
    user_comment = models.TextField(blank=True)
    outcome_at = models.DateTimeField(help_text="When the user acted, as the EHR reports it.")
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received", "-id"]
        indexes = [models.Index(fields=["clinic", "-received"])]

    def __str__(self) -> str:
        return f"{self.outcome} on {self.card_id}"
