"""An EHR registered by a clinic, and the JWT ids already used (the replay cache).

A registration is the trust a clinic gives one JWT issuer: calls signed by a key of its JWK set
(fetched from ``jwks_url`` or stored in ``jwks``, public keys only) act for its clinic. Only one
active registration may hold an issuer across the deployment, so a signed call names exactly
one clinic; a deactivated one stays for the audit trail and the feedback it received.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from backpath.web.accounts.models import Clinic


class EhrRegistration(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="ehr_registrations")
    name = models.CharField(max_length=100, help_text="What the clinic calls this EHR.")
    iss = models.CharField(
        "issuer", max_length=255, help_text="The JWT issuer (iss) the EHR signs its calls as."
    )
    jwks_url = models.CharField(
        "JWK Set URL", max_length=500, blank=True,
        help_text="Where the EHR publishes its public keys; fetched only when on the allow-list.",
    )  # fmt: skip
    jwks = models.JSONField(
        "JWK Set", null=True, blank=True, help_text="The EHR's public keys, when stored here."
    )
    tenant = models.CharField(
        max_length=255, blank=True,
        help_text="The CDS Hooks tenant claim the EHR sends for this clinic, if it sends one.",
    )  # fmt: skip
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Empty when registered on the command line.",
    )  # fmt: skip
    deactivated = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-active", "name", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["iss"],
                condition=models.Q(active=True),
                name="one_active_registration_per_issuer",
            ),
            models.CheckConstraint(
                condition=(models.Q(jwks_url="") & models.Q(jwks__isnull=False))
                | (~models.Q(jwks_url="") & models.Q(jwks__isnull=True)),
                name="registration_has_one_key_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iss})"

    @property
    def stored_kids(self) -> list[str]:
        """The key ids of a stored JWK set (empty when the keys are fetched)."""
        keys: list[Any] = (self.jwks or {}).get("keys", []) if isinstance(self.jwks, dict) else []
        return [str(k.get("kid")) for k in keys if isinstance(k, dict) and k.get("kid")]

    @property
    def audit_name(self) -> str:
        """Who the audit trail names for this EHR's calls."""
        return f"ehr:{self.name}"[:150]


class UsedJti(models.Model):
    """A JWT id (``jti``) seen from an issuer, kept until its token has expired.

    The unique constraint makes "seen before?" and "remember it" one atomic insert that every
    server process shares, and nothing is evicted early (a cache may drop entries under
    pressure; a table does not); ``replay.forget_expired`` deletes rows past their expiry."""

    iss = models.CharField(max_length=255)
    jti = models.CharField(max_length=255)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["iss", "jti"], name="jwt_id_used_once_per_issuer")
        ]
