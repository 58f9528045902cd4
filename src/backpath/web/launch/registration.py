"""Registering an EHR's SMART endpoint for a clinic: the one writer of ``SmartEhr``, used by
the lead's page and ``backpath register-smart`` alike. Each check raises ``InvalidInput``
naming the field and what is allowed."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.web.accounts.models import Clinic
from backpath.web.launch import outbound
from backpath.web.launch.models import DEFAULT_SCOPES, SmartEhr

SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
"""A scope token as OAuth 2.0 (RFC 6749, section 3.3) allows it."""


def check_iss(iss: str) -> str:
    iss = iss.strip()
    if not iss:
        raise InvalidInput("iss", "is required: the EHR's FHIR base URL")
    if len(iss) > 500:
        raise InvalidInput("iss", "must be at most 500 characters")
    if not outbound.secure_address(iss) or urlsplit(iss).query:
        raise InvalidInput(
            "iss", "must be an https URL without query or fragment (plain http only for a "
            "test EHR on this machine), e.g. https://ehr.example.org/fhir/R4",
        )  # fmt: skip
    return iss


def check_scopes(scopes: str) -> str:
    tokens = scopes.split()
    if not tokens:
        return DEFAULT_SCOPES
    bad = [t for t in tokens if not SCOPE_TOKEN.fullmatch(t)]
    if bad:
        raise InvalidInput("scopes", f"{bad[0]!r} is not an OAuth scope")
    if "launch" not in tokens:
        raise InvalidInput("scopes", "must include launch (the EHR launch context)")
    scopes = " ".join(dict.fromkeys(tokens))
    if len(scopes) > 500:
        raise InvalidInput("scopes", "must be at most 500 characters")
    return scopes


def _text(field: str, value: str, most: int, what: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(field, f"is required: {what}")
    if len(value) > most:
        raise InvalidInput(field, f"must be at most {most} characters")
    return value


def register(
    clinic: Clinic, *, name: str, iss: str, client_id: str, client_secret: str,
    scopes: str = DEFAULT_SCOPES, by: Any = None,
) -> SmartEhr:  # fmt: skip
    """A new active registration; the secret is sealed, never kept in clear."""
    ehr = SmartEhr(
        clinic=clinic, name=_text("name", name, 100, "what the clinic calls this EHR"),
        iss=check_iss(iss), client_id=_text("client_id", client_id, 255, "BackPath's client id "
        "at the EHR"), scopes=check_scopes(scopes), created_by=by,
    )  # fmt: skip
    if not client_secret.strip():
        raise InvalidInput("client_secret", "is required: the secret the EHR gave BackPath")
    if len(client_secret) > 1000:
        raise InvalidInput("client_secret", "must be at most 1000 characters")
    ehr.set_client_secret(client_secret.strip())
    taken = InvalidInput(
        "iss", "this EHR is already registered for the clinic; deactivate that registration "
        "first to register it again",
    )  # fmt: skip
    if SmartEhr.objects.filter(clinic=clinic, iss=ehr.iss, active=True).exists():
        raise taken
    try:
        with transaction.atomic():
            ehr.save()
    except IntegrityError:
        raise taken from None
    return ehr


def deactivate(ehr: SmartEhr) -> None:
    """The EHR can no longer launch BackPath (the row stays, for the audit trail)."""
    if ehr.active:
        ehr.active = False
        ehr.deactivated = timezone.now()
        ehr.save(update_fields=["active", "deactivated"])


def launches_from(clinic_id: int, fhir_server: str | None) -> bool:
    """Whether the clinic has an active SMART registration for this FHIR server, so a CDS card
    can offer a ``smart`` link the EHR will launch into BackPath (iss compared exactly, bar a
    trailing slash)."""
    if not fhir_server:
        return False
    wanted = {fhir_server.rstrip("/"), fhir_server.rstrip("/") + "/"}
    return SmartEhr.objects.filter(clinic_id=clinic_id, iss__in=wanted, active=True).exists()
