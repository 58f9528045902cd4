"""The EHRs a clinic lets launch BackPath (SMART on FHIR), one row per registration."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic
from backpath.web.launch import client_secrets

DEFAULT_SCOPES = "launch openid fhirUser patient/*.read"


class SmartEhr(models.Model):
    """An EHR's SMART endpoint as the clinic lead registered it. ``iss`` is the EHR's FHIR base
    URL exactly as the EHR sends it at launch: it is the allow-list, since BackPath contacts
    only the issuers registered here (and the endpoints their SMART configuration names)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="What the clinic calls this EHR.")
    iss = models.CharField(
        "FHIR base URL (iss)", max_length=500,
        help_text="The EHR's FHIR base URL, exactly as it sends it as iss at launch.",
    )  # fmt: skip
    client_id = models.CharField(max_length=255, help_text="BackPath's client id at the EHR.")
    client_secret_sealed = models.TextField(editable=False)
    scopes = models.CharField(max_length=500, default=DEFAULT_SCOPES)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    deactivated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-active", "name", "id"]
        indexes = [models.Index(fields=["iss", "active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "iss"], condition=models.Q(active=True),
                name="one_active_smart_ehr_per_clinic_and_iss",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def set_client_secret(self, secret: str) -> None:
        self.client_secret_sealed = client_secrets.seal(secret)

    def client_secret(self) -> str:
        """The secret in clear, only to send it to the EHR's token endpoint."""
        return client_secrets.unseal(self.client_secret_sealed)
