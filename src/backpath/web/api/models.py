"""API tokens for scripts and EHRs: only a SHA-256 hash of each key is stored; the key is shown
once. A token expires (90 days unless its owner chooses otherwise), has a scope, and is revoked
when its owner's password changes or the account is deactivated.

Scopes: ``full`` (everything the owner may do), ``read`` (reading only: GET on the API and
FHIR), ``cds`` (the CDS Hooks service only, for an EHR's integration).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_PREFIX = "bp_"
# Writing last_used on every request would turn each read into a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


SCOPES = {"full": "Full access", "read": "Read only", "cds": "CDS Hooks integration"}
DEFAULT_DAYS = 90
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def scope_allows(scope: str, surface: str, method: str) -> bool:
    """Whether a token of ``scope`` may make this call (``surface``: api, fhir or cds)."""
    if scope == "full":
        return True
    if scope == "read":
        return surface in ("api", "fhir") and method.upper() in SAFE_METHODS
    return scope == "cds" and surface == "cds"


def hash_key(key: str) -> str:
    """Hex SHA-256 of a key. Keys are 256-bit random, so a fast hash is enough (no salt)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The key's first characters, to recognise it."
    )
    scope = models.CharField(max_length=10, choices=list(SCOPES.items()), default="full")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.DateTimeField(null=True, blank=True, help_text="Set to revoke the token.")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'}) for {self.user}"

    @classmethod
    def issue(
        cls, user: Any, name: str = "", scope: str = "full", days: int | None = DEFAULT_DAYS
    ) -> tuple[ApiToken, str]:
        """Create a token; returns it with the plain key, which is never stored or shown again.
        ``days=None``: no expiry (only for a deployment's own automation)."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        expires = timezone.now() + timedelta(days=days) if days else None
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_key(key), prefix=key[:10], scope=scope,
            expires=expires,
        )  # fmt: skip
        return token, key

    @property
    def state(self) -> str:
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and self.expires <= timezone.now():
            return "expired"
        return "live"

    @classmethod
    def user_for(cls, key: str) -> Any:
        """The active user whose live token this key is (with the token's scope as
        ``api_scope``), or None; notes when it was used."""
        now = timezone.now()
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_key(key), revoked__isnull=True, user__is_active=True)
            .exclude(expires__lte=now)
            .first()
        )
        if token is None:
            return None
        token.user.api_scope = token.scope
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user

    def revoke(self) -> None:
        self.revoked = timezone.now()
        self.save(update_fields=["revoked"])
