"""Verifying the signed JWT a CDS client sends with each call (CDS Hooks 2.0, "Trusting CDS
Clients"). Every failure is a ``Refused`` naming the header or claim at fault; the checks run in
this order, so nothing is looked up for a token refused by an earlier one:

1. form and header: a JWS compact token whose ``alg`` is RS384 or ES384 (``none``, HMAC and
   every other algorithm are refused here, before any key is touched), with a ``kid``, no
   ``crit`` and, when given, ``typ: JWT``;
2. ``iss`` names an active registration (``EhrRegistration``);
3. ``kid`` names a key of that registration's JWK Set (stored, or fetched from its allowed URL
   and fetched once more for an unknown kid), of the type ``alg`` needs;
4. the signature verifies with that key (joserfc);
5. the claims: ``aud`` is the URL called, ``exp`` is in the future and at most
   ``MAX_LIFETIME`` seconds after ``iat``, ``iat`` (and ``nbf``) not in the future, each with
   ``CLOCK_SKEW``; ``jti`` is present; ``tenant`` is the registration's when either names one;
6. the ``jti`` was never used before by this issuer (``replay``).

The ``jku``, ``jwk``, ``x5u`` and ``x5c`` headers are ignored: keys come only from the
registration, never from a URL or key the token itself names.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from joserfc import jws
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwt import JWTClaimsRegistry

from backpath.errors import CallerRefused, InvalidInput, JwksUnavailable
from backpath.web.ehrs import jwks_fetch, replay
from backpath.web.ehrs.keys import ALGORITHMS, PublicKey, public_keys
from backpath.web.ehrs.models import EhrRegistration

CLOCK_SKEW = 60
"""Seconds of disagreement between the EHR's clock and BackPath's that are tolerated."""
MAX_LIFETIME = 300
"""The longest a token may live (``exp`` - ``iat``), in seconds: CDS clients sign each call
with a short-lived token."""
MAX_TOKEN_CHARS = 16_384
MAX_JTI_CHARS = 255
COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def audience(path: str) -> str:
    """The ``aud`` a JWT for a call of ``path`` must carry: the address EHRs call BackPath at
    (``CDS_BASE_URL``, else ``BACKPATH_BASE_URL``) plus the path. Built from configuration,
    not from the request's Host header, so a proxy in front changes nothing."""
    base = settings.CDS_BASE_URL or settings.BACKPATH_BASE_URL
    return base.rstrip("/") + path


Refused = CallerRefused
"""A JWT BackPath does not accept (see ``backpath.errors.CallerRefused``)."""


@dataclass(frozen=True)
class Verified:
    registration: EhrRegistration
    claims: dict[str, Any]


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):
        raise Refused("jwt", f"its {what} is not base64url-encoded JSON") from None
    if not isinstance(value, dict):
        raise Refused("jwt", f"its {what} is not a JSON object")
    return value


def _header(token: str) -> tuple[dict[str, Any], str, str]:
    """The header, ``alg`` and ``kid`` of a token whose form and header are acceptable."""
    if len(token) > MAX_TOKEN_CHARS or not COMPACT.fullmatch(token):
        raise Refused("jwt", "is not a signed JWT (JWS compact form: header.payload.signature)")
    header = _json_segment(token.split(".")[0], "header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise Refused(
            "jwt.alg", f"must be RS384 or ES384 (got {str(alg)[:20]!r}); unsigned ('none') and "
            "HMAC-signed tokens are never accepted",
        )  # fmt: skip
    if "crit" in header:
        raise Refused("jwt.crit", "critical header extensions are not supported")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        raise Refused("jwt.typ", "must be JWT")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Refused("jwt.kid", "required: the id of the key in the EHR's JWK Set that signed it")
    return header, alg, kid


def _registration(iss: object) -> EhrRegistration:
    if not isinstance(iss, str) or not iss:
        raise Refused("jwt.iss", "required: the EHR's issuer, as registered in BackPath")
    found = (
        EhrRegistration.objects.select_related("clinic")
        .filter(iss=iss)
        .order_by("-active", "-created")
        .first()
    )
    if found is None:
        raise Refused(
            "jwt.iss", "is not an EHR registered with BackPath; a clinic lead registers it on the "
            "EHRs page, or an operator with `backpath register-ehr`",
        )  # fmt: skip
    if not found.active:
        raise Refused("jwt.iss", "this EHR's registration has been deactivated", found)
    return found


def _keys(registration: EhrRegistration, kid: str) -> dict[str, PublicKey]:
    if not registration.jwks_url:
        try:
            return public_keys(registration.jwks)
        except InvalidInput as exc:
            raise Refused(
                "jwks", f"the stored JWK Set cannot be used: {exc}", registration
            ) from None
    try:
        keys = jwks_fetch.keys_at(registration.jwks_url)
        if kid not in keys:
            keys = jwks_fetch.keys_again(registration.jwks_url) or keys
    except JwksUnavailable as exc:
        raise Refused("jwks", str(exc), registration) from None
    return keys


def _key(registration: EhrRegistration, kid: str, alg: str) -> PublicKey:
    key = _keys(registration, kid).get(kid)
    if key is None:
        raise Refused(
            "jwt.kid", "names no usable key of this EHR's JWK Set (an RSA or EC P-384 signing "
            "key with that kid)", registration,
        )  # fmt: skip
    if key.key_type != ALGORITHMS[alg] or (key.alg is not None and key.alg != alg):
        raise Refused("jwt.alg", f"{alg} does not match the key this kid names", registration)
    return key


def _verified_claims(token: str, key: PublicKey, alg: str, registration: EhrRegistration) -> Any:
    try:
        signed = jws.deserialize_compact(token, key, algorithms=[alg])
    except BadSignatureError:
        raise Refused(
            "jwt.signature", "does not verify with the key its kid names", registration
        ) from None
    except (JoseError, ValueError) as exc:
        reason = exc.error if isinstance(exc, JoseError) else "malformed"
        raise Refused("jwt.signature", f"could not be verified ({reason})", registration) from None
    if signed.headers().get("alg") != alg or signed.payload is None:
        raise Refused("jwt", "its header changed under verification", registration)
    try:
        return json.loads(signed.payload)
    except (ValueError, RecursionError):
        raise Refused("jwt", "its payload is not JSON", registration) from None


def _when(seconds: float) -> str:
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):  # a time no calendar holds
        return f"{seconds} seconds since 1970"


def _check_times_and_audience(
    claims: dict[str, Any], registration: EhrRegistration, audience: str, now: float
) -> None:
    registry = JWTClaimsRegistry(
        now=int(now), leeway=CLOCK_SKEW, iss={"essential": True, "value": registration.iss},
        aud={"essential": True, "value": audience}, exp={"essential": True},
        iat={"essential": True}, jti={"essential": True},
    )  # fmt: skip
    try:
        registry.validate(claims)
    except MissingClaimError as exc:
        first = sorted(exc.claim.split(","))[0]
        raise Refused(f"jwt.{first}", "required", registration) from None
    except ExpiredTokenError:
        raise Refused(
            "jwt.exp", f"the token expired at {_when(claims['exp'])} (BackPath's clock says "
            f"{_when(now)}); sign a fresh JWT for each call", registration,
        ) from None  # fmt: skip
    except InvalidClaimError as exc:
        messages = {
            "aud": f"must be the URL called: {audience}",
            "iat": "must be a time (seconds since 1970) no later than now",
            "nbf": "must be a time (seconds since 1970) no later than now",
            "jti": "must be a non-empty string",
        }
        message = messages.get(exc.claim, "is not valid")
        raise Refused(f"jwt.{exc.claim}", message, registration) from None
    if claims["exp"] - claims["iat"] > MAX_LIFETIME:
        raise Refused("jwt.exp", f"must be at most {MAX_LIFETIME} seconds after iat", registration)
    if len(claims["jti"]) > MAX_JTI_CHARS:
        raise Refused("jwt.jti", f"must be at most {MAX_JTI_CHARS} characters", registration)


def _check_tenant(claims: dict[str, Any], registration: EhrRegistration) -> None:
    if "tenant" in claims:
        tenant = claims["tenant"]
        if not isinstance(tenant, str) or tenant != registration.tenant:
            raise Refused(
                "jwt.tenant", "is not the tenant registered for this EHR at this clinic",
                registration,
            )  # fmt: skip
    elif registration.tenant:
        raise Refused("jwt.tenant", "required: this EHR is registered with a tenant", registration)


def verify(token: str, audience: str, *, now: float | None = None) -> Verified:
    """The registration a valid token speaks for, with its claims; ``Refused`` otherwise (see
    the module's order). ``audience``: the absolute URL the EHR called."""
    now = time.time() if now is None else now
    _, alg, kid = _header(token)
    registration = _registration(_json_segment(token.split(".")[1], "payload").get("iss"))
    key = _key(registration, kid, alg)
    claims = _verified_claims(token, key, alg, registration)
    if not isinstance(claims, dict):
        raise Refused("jwt", "its payload is not a JSON object", registration)
    _check_times_and_audience(claims, registration, audience, now)
    _check_tenant(claims, registration)
    expires = dt.datetime.fromtimestamp(claims["exp"], dt.UTC)
    if not replay.first_use(registration.iss, claims["jti"], expires):
        raise Refused(
            "jwt.jti", "was used before: sign a new JWT, with a new jti, for every call",
            registration,
        )  # fmt: skip
    return Verified(registration, claims)
