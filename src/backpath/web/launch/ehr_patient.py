"""The EHR's Patient resource, read leniently into what BackPath shows and stores: name,
birth date, administrative gender and the identifiers (system and value). Elements BackPath
does not use are ignored; what it needs and cannot read raises ``Refused('patient_unusable')``
naming the element, so nothing half-read is ever created."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from backpath.web.launch.refusals import Refused

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
"""FHIR's ``id`` type: it is safe to put into ``{iss}/Patient/{id}``."""
GENDERS = ("male", "female", "other", "unknown")
NAME_USES = ("official", "usual", None)
"""Which of several names is taken, in order (a name without ``use`` counts as usual)."""


class EhrIdentifier(BaseModel):
    model_config = ConfigDict(frozen=True)

    system: str
    value: str
    label: str = ""
    """The identifier's type as the EHR words it (e.g. "Medical record number"), if any."""


class EhrPatient(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    given_name: str
    family_name: str
    birth_date: dt.date | None
    """The full date when the EHR gives one; else None and ``birth_year`` alone."""
    birth_year: int
    sex: str
    identifiers: tuple[EhrIdentifier, ...]

    def identifier_pairs(self) -> list[tuple[str, str]]:
        return [(i.system, i.value) for i in self.identifiers]


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _name(resource: dict[str, Any]) -> tuple[str, str]:
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    names.sort(key=lambda n: NAME_USES.index(n.get("use")) if n.get("use") in NAME_USES else 9)
    for name in names:
        given = " ".join(_text(g) for g in name.get("given") or [] if _text(g))
        family = _text(name.get("family"))
        if given and family:
            return given[:100], family[:100]
    raise Refused("patient_unusable", "Patient.name has no name with both given and family parts")


def _birth(resource: dict[str, Any], today: dt.date) -> tuple[dt.date | None, int]:
    raw = _text(resource.get("birthDate"))
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", raw):
        raise Refused("patient_unusable", "Patient.birthDate is missing or not a FHIR date")
    year = int(raw[:4])
    full = None
    if len(raw) == 10:
        try:
            full = dt.date.fromisoformat(raw)
        except ValueError:
            raise Refused("patient_unusable", f"Patient.birthDate {raw!r} is no date") from None
    if year < 1900 or (full or dt.date(year, 1, 1)) > today:
        raise Refused("patient_unusable", f"Patient.birthDate {raw!r} is out of range")
    return full, year


def _identifiers(resource: dict[str, Any]) -> tuple[EhrIdentifier, ...]:
    found: dict[tuple[str, str], EhrIdentifier] = {}
    for raw in resource.get("identifier") or []:
        if not isinstance(raw, dict):
            continue
        system, value = _text(raw.get("system")), _text(raw.get("value"))
        if not system or not value or len(system) > 255 or len(value) > 255:
            continue
        kind: dict[str, Any] = raw["type"] if isinstance(raw.get("type"), dict) else {}
        codings = [c for c in kind.get("coding") or [] if isinstance(c, dict)]
        label = _text(kind.get("text")) or next((_text(c.get("display")) for c in codings), "")
        found.setdefault((system, value), EhrIdentifier(system=system, value=value,
                                                        label=label[:100]))  # fmt: skip
    if not found:
        raise Refused(
            "patient_unusable",
            "Patient.identifier has no identifier with a system and a value, and BackPath "
            "matches patients only on identifiers",
        )
    return tuple(found.values())


def read_patient(resource: Any, expected_id: str, today: dt.date | None = None) -> EhrPatient:
    """The EHR's Patient ``expected_id`` (the token's patient context) as BackPath reads it."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
        raise Refused("patient_fetch", "the EHR did not answer with a Patient resource")
    if resource.get("id") != expected_id:
        raise Refused("patient_fetch", "the EHR answered with another patient than the launch's")
    given, family = _name(resource)
    birth_date, birth_year = _birth(resource, today or dt.date.today())
    gender = resource.get("gender")
    return EhrPatient(
        id=expected_id, given_name=given, family_name=family, birth_date=birth_date,
        birth_year=birth_year, sex=gender if gender in GENDERS else "unknown",
        identifiers=_identifiers(resource),
    )  # fmt: skip
