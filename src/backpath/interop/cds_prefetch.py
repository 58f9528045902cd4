"""Prefetch: the FHIR queries the service asks for, and getting their results.

Each prefetch key is answered from the request's ``prefetch`` when the EHR sent it (a single
resource, a ``searchset`` Bundle, or ``null`` for "no data"), otherwise fetched from
``fhirServer`` with the ``fhirAuthorization`` bearer token. The four keys in ``REQUIRED``
must be obtained one way or the other, else ``PrefetchUnavailable`` (HTTP 412) names each
missing key and why; the ``OPTIONAL`` ones only make the cards richer.

Every resource is parsed with its ``fhir.resources.R4B`` model. Invalid FHIR sent in the
request is ``InvalidInput`` naming it (``prefetch.patient.birthDate``); invalid FHIR from the
server makes the key unavailable instead, since the EHR's caller cannot fix it.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.patient import Patient
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from backpath.errors import FetchError, InvalidInput, PrefetchUnavailable, field_path
from backpath.instruments import odi, peg, startback
from backpath.interop import codes
from backpath.interop.cds_models import CdsRequest, PatientViewContext


def _survey_codes() -> str:
    """LOINC codes of the scores BackPath reads, taken from the instrument data files."""
    found = ["72514-3"]  # pain NRS
    for module in (startback, peg, odi):
        loinc = module.definition().loinc
        if loinc is None:
            continue
        found += [c for c in (loinc.score, *loinc.subscores.values()) if c]
        if loinc.group is not None:
            found.append(loinc.group.code)
    return ",".join(f"{codes.LOINC}|{code}" for code in dict.fromkeys(found))


PATIENT = "{{context.patientId}}"
PREFETCH: dict[str, str] = {
    "patient": f"Patient/{PATIENT}",
    "conditions": f"Condition?patient={PATIENT}&clinical-status=active",
    "observations": (f"Observation?patient={PATIENT}&code={_survey_codes()}&_sort=-date&_count=50"),
    "medications": f"MedicationRequest?patient={PATIENT}&status=active",
    "medicationStatements": f"MedicationStatement?patient={PATIENT}&status=active",
    "questionnaireResponses": (
        f"QuestionnaireResponse?patient={PATIENT}&status=completed&_sort=-authored&_count=20"
    ),
}
"""Prefetch key -> template, as published by discovery."""
REQUIRED = ("patient", "conditions", "observations", "medications")
OPTIONAL = ("medicationStatements", "questionnaireResponses")
TIMEOUT_SECONDS = 3.0
MAX_BYTES = 5_000_000
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
_SKIPPED = {"OperationOutcome"}


Fetch = Callable[[str, str], object]
"""(absolute URL, access token) -> parsed JSON; raises ``FetchError``."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the EHR's access token to another address: refuse it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def fetch_json(url: str, access_token: str) -> object:
    """GET one FHIR query (short timeout, no redirects, at most ``MAX_BYTES``)."""
    request = urllib.request.Request(
        url,
        headers={"Accept": "application/fhir+json", "Authorization": f"Bearer {access_token}"},
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(f"the FHIR server answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"the FHIR server could not be reached ({reason})") from None
    if len(body) > MAX_BYTES:
        raise FetchError(f"the FHIR server's answer is larger than {MAX_BYTES} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise FetchError("the FHIR server's answer is not JSON") from None


def render(template: str, context: PatientViewContext) -> str:
    """Fill ``{{context.x}}`` tokens with the context's values (URL-quoted)."""

    def value(match: re.Match[str]) -> str:
        found = getattr(context, match.group(1), None)
        return urllib.parse.quote(str(found or ""), safe="")

    return _TOKEN.sub(value, template)


def query_url(server: str, template: str, context: PatientViewContext) -> str:
    """The absolute URL of a prefetch template on ``server`` (``|`` and the like quoted)."""
    relative = urllib.parse.quote(render(template, context), safe="/?&=,:-._%")
    return f"{server.rstrip('/')}/{relative}"


@dataclass(frozen=True)
class Entry:
    """One resource and where it came from (``prefetch.conditions.entry[2].resource``)."""

    location: str
    raw: dict[str, Any]
    resource: FHIRAbstractModel


@dataclass(frozen=True)
class PatientData:
    """What the prefetch gave for one patient, parsed."""

    patient_id: str
    patient: Patient
    entries: tuple[Entry, ...]
    """Every resource, the Patient first."""
    unavailable: dict[str, str] = field(default_factory=dict)
    """Optional keys that could not be obtained -> why."""
    fetched: tuple[str, ...] = ()
    """Keys fetched from the FHIR server rather than prefetched."""

    def of_type(self, resource_type: str) -> list[Entry]:
        return [e for e in self.entries if e.raw.get("resourceType") == resource_type]


def _clean(message: str) -> str:
    return " ".join(message.split())


def _resource(raw: object, location: str) -> Entry:
    if not isinstance(raw, dict):
        raise InvalidInput(location, "must be a FHIR resource (a JSON object)")
    kind = raw.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except ValueError:
        raise InvalidInput(
            f"{location}.resourceType", f"'{kind}' is not a FHIR R4 resource type"
        ) from None
    try:
        return Entry(location, raw, model.model_validate(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if p != "resource_type"]
        raise InvalidInput(field_path(loc, location), _clean(err["msg"])) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise InvalidInput(location, f"not valid FHIR ({_clean(str(exc))[:200]})") from None


def parse_value(key: str, value: object) -> list[Entry]:
    """The resources of one prefetch value (a resource or a searchset Bundle; None: none)."""
    location = f"prefetch.{key}"
    if value is None:
        return []
    if not isinstance(value, dict):
        raise InvalidInput(location, "must be a FHIR resource or Bundle (a JSON object), or null")
    if value.get("resourceType") != "Bundle":
        return [_resource(value, location)]
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        raise InvalidInput(f"{location}.entry", "must be a list")
    found: list[Entry] = []
    for index, item in enumerate(entries):
        where = f"{location}.entry[{index}]"
        raw = item.get("resource") if isinstance(item, dict) else None
        if raw is None:
            raise InvalidInput(f"{where}.resource", "required: each entry holds a resource")
        entry = _resource(raw, f"{where}.resource")
        if raw.get("resourceType") not in _SKIPPED:
            found.append(entry)
    shell = {k: v for k, v in value.items() if k != "entry"}
    _resource(shell, location)
    return found


def _patient(entries: list[Entry], patient_id: str) -> Entry:
    patients = [e for e in entries if isinstance(e.resource, Patient)]
    if len(patients) != 1:
        raise InvalidInput("prefetch.patient", "must be the Patient resource of context.patientId")
    entry = patients[0]
    found = entry.raw.get("id")
    if found is not None and found != patient_id:
        raise InvalidInput(
            f"{entry.location}.id", f"'{found}' is not context.patientId '{patient_id}'"
        )
    return entry


def gather(call: CdsRequest, fetch: Fetch = fetch_json) -> PatientData:
    """Every prefetch key's resources, prefetched or fetched.

    Raises ``InvalidInput`` for invalid FHIR in the request and ``PrefetchUnavailable``
    when a required key (or the Patient itself) cannot be obtained.
    """
    given = call.prefetch or {}
    found: dict[str, list[Entry]] = {}
    missing: dict[str, str] = {}
    fetched: list[str] = []
    for key, template in PREFETCH.items():
        if key in given:
            found[key] = parse_value(key, given[key])
            continue
        if call.fhirServer is None:
            missing[key] = "not in prefetch, and no fhirServer was given to fetch it from"
            continue
        if call.fhirAuthorization is None:
            missing[key] = "not in prefetch, and no fhirAuthorization was given for fhirServer"
            continue
        url = query_url(str(call.fhirServer), template, call.context)
        try:
            found[key] = parse_value(key, fetch(url, call.fhirAuthorization.access_token))
        except FetchError as exc:
            missing[key] = f"fetching {url} failed: {exc}"
            continue
        except InvalidInput as exc:
            missing[key] = f"{url} gave invalid FHIR ({exc})"
            continue
        fetched.append(key)
    if "patient" in found and not found["patient"]:
        missing["patient"] = "null: the EHR has no Patient for context.patientId"
    required = {k: why for k, why in missing.items() if k in REQUIRED}
    if required:
        raise PrefetchUnavailable(required)
    patient = _patient(found["patient"], call.context.patientId)
    others = [e for key in PREFETCH if key != "patient" for e in found.get(key, [])]
    assert isinstance(patient.resource, Patient)  # checked by _patient
    return PatientData(
        patient_id=call.context.patientId,
        patient=patient.resource,
        entries=(patient, *others),
        unavailable={k: why for k, why in missing.items() if k in OPTIONAL},
        fetched=tuple(fetched),
    )
