"""The EHR's OpenID Connect ``id_token``: its claims (the EHR user's ``fhirUser``) are used
only once its signature is verified against the EHR's published keys (``jwks_uri`` of its
SMART configuration) and its issuer, audience and times are right. BackPath's own sign-in says
who the clinician is; the verified ``fhirUser`` goes into the audit trail beside it."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from backpath.web.launch import outbound
from backpath.web.launch.discovery import SmartConfiguration
from backpath.web.launch.refusals import Refused

ALGORITHMS = ("RS256", "RS384", "ES256", "ES384")
"""Asymmetric signatures only: never ``none``, never an HMAC a client secret could forge."""
LEEWAY_SECONDS = 60


def _key_set(jwks_uri: str, fresh: bool = False) -> KeySet:
    key = "smart-jwks:" + hashlib.sha256(jwks_uri.encode("utf-8")).hexdigest()
    data = None if fresh else cache.get(key)
    if not isinstance(data, dict):
        data = outbound.get_json(jwks_uri, reason="id_token")
        cache.set(key, data, int(getattr(settings, "BACKPATH_SMART_CACHE_SECONDS", 300)))
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]  # checked by joserfc
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Refused("id_token", f"the EHR's key set cannot be read ({exc})") from None


def verified_claims(
    token: str, config: SmartConfiguration, *, iss: str, client_id: str
) -> dict[str, Any]:
    """The id_token's claims once verified; ``Refused('id_token')`` otherwise. The issuer
    expected is the configuration's ``issuer`` (the EHR's FHIR base when it names none)."""
    if not config.jwks_uri:
        raise Refused("id_token", "the EHR's SMART configuration names no jwks_uri")
    try:
        try:
            decoded = jwt.decode(token, _key_set(config.jwks_uri), algorithms=list(ALGORITHMS))
        except InvalidKeyIdError:  # the EHR may have rotated its keys since they were cached
            decoded = jwt.decode(
                token, _key_set(config.jwks_uri, fresh=True), algorithms=list(ALGORITHMS)
            )
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": config.issuer or iss},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise Refused("id_token", f"{type(exc).__name__}: {exc}") from None
    return dict(decoded.claims)
