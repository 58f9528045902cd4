"""Registering and deactivating a clinic's EHR: the rules, written once for the lead's page and
``backpath register-ehr``; each change is audited.

A registration needs a name, the issuer (``iss``) the EHR signs as, and its public keys: either
a JWK Set URL on the deployment's allow-list (https) or the JWK Set itself (``keys``: public
RSA or EC P-384 signing keys only). ``tenant`` is optional: the CDS Hooks ``tenant`` claim the
EHR sends for this clinic. ``InvalidInput`` names the field (name, iss, jwks_url, jwks, tenant).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.web.accounts.models import Clinic
from backpath.web.audit.record import record_event
from backpath.web.ehrs import jwks_fetch
from backpath.web.ehrs.keys import public_keys, public_set
from backpath.web.ehrs.models import EhrRegistration
from backpath.web.logins.lifecycle import Actor

MAX_JWKS_CHARS = 64 * 1024


def _audit(actor: Actor, action: str, registration: EhrRegistration, detail: str) -> None:
    record_event(
        actor.user, action, registration, clinic=registration.clinic, detail=detail,
        path=actor.path, method=actor.method, ip=actor.ip,
    )  # fmt: skip


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(field, "required")
    if len(text) > limit:
        raise InvalidInput(field, f"at most {limit} characters")
    if field in ("iss", "jwks_url") and any(c.isspace() for c in text):
        raise InvalidInput(field, "must not contain spaces")
    return text


def _issuer(value: str) -> str:
    iss = _text(value, "iss", 255, required=True)
    try:
        scheme = urlsplit(iss).scheme
    except ValueError:
        scheme = ""
    if not scheme:
        raise InvalidInput(
            "iss", "must be the issuer URI the EHR signs as, e.g. https://ehr.example"
        )
    return iss


def _jwk_set(value: object) -> dict[str, Any]:
    """The pasted or loaded JWK Set, checked, as the public set BackPath stores."""
    if isinstance(value, str):
        if len(value) > MAX_JWKS_CHARS:
            raise InvalidInput("jwks", f"is longer than {MAX_JWKS_CHARS} characters")
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(
                "jwks", f"is not JSON ({' '.join(str(exc).split())[:120]})"
            ) from None
    return public_set(public_keys(value))


def register(
    actor: Actor, clinic: Clinic, *, name: str, iss: str, jwks_url: str = "",
    jwks: object = None, tenant: str = "",
) -> EhrRegistration:  # fmt: skip
    """A new active registration of an EHR for ``clinic``; ``jwks`` is the JWK Set as JSON
    text (pasted) or as loaded (a dict)."""
    clean_name = " ".join((name or "").split())
    if not clean_name:
        raise InvalidInput("name", "required: what the clinic calls this EHR")
    if len(clean_name) > 100:
        raise InvalidInput("name", "at most 100 characters")
    issuer = _issuer(iss)
    url = _text(jwks_url, "jwks_url", 500, required=False)
    pasted = None if jwks is None or (isinstance(jwks, str) and not jwks.strip()) else jwks
    if bool(url) == (pasted is not None):
        raise InvalidInput("jwks_url", "give either the JWK Set URL or the JWK Set, not both")
    if url and (problem := jwks_fetch.url_problem(url)):
        raise InvalidInput("jwks_url", problem)
    stored = _jwk_set(pasted) if pasted is not None else None
    tenant = _text(tenant, "tenant", 255, required=False)
    try:
        with transaction.atomic():
            registration = EhrRegistration.objects.create(
                clinic=clinic, name=clean_name, iss=issuer, jwks_url=url, jwks=stored,
                tenant=tenant, created_by=actor.user,
            )  # fmt: skip
            keys = (
                f"keys from {url}" if url else f"stored keys {', '.join(registration.stored_kids)}"
            )
            _audit(actor, "ehr.register", registration, f"{issuer} ({keys})")
    except IntegrityError:
        raise InvalidInput(
            "iss", "an active registration already holds this issuer (at this clinic or "
            "another); deactivate it first, or ask the people who run BackPath",
        ) from None  # fmt: skip
    return registration


def deactivate(actor: Actor, registration: EhrRegistration) -> None:
    """From now on the EHR's calls are refused; the registration stays for the record."""
    if not registration.active:
        return
    registration.active = False
    registration.deactivated = timezone.now()
    registration.deactivated_by = actor.user
    with transaction.atomic():
        registration.save(update_fields=["active", "deactivated", "deactivated_by"])
        _audit(actor, "ehr.deactivate", registration, registration.iss)
    if registration.jwks_url:
        jwks_fetch.forget()
