"""Prefetch: the FHIR queries the service asks for, and getting their results.

Each prefetch key is answered from the request's ``prefetch`` when the EHR sent it (a single
resource, a ``searchset`` Bundle, or ``null`` for "no data"), otherwise fetched from
``fhirServer`` with the ``fhirAuthorization`` bearer token. The four keys in ``REQUIRED``
must be obtained one way or the other, else ``PrefetchUnavailable`` (HTTP 412) names each
missing key and why; the ``OPTIONAL`` ones only make the cards richer. The medication
queries ``_include`` the Medications they reference; a referenced Medication that came with
neither is fetched from ``fhirServer`` when it can be (at most ``MAX_MEDICATION_FETCHES``).

An OperationOutcome in place of a key's value (the specification lets the EHR send one when
its query failed), or an error outcome inside the searchset, makes that key *unknown*: the
cards say so and never read it as "none". Only the Patient cannot be unknown.

Each value is read by ``cds_values``: leniently, so that one invalid resource is left out
and said rather than refusing the call (``PatientData.unreadable``), and a key none of whose
resources could be read is *unknown*, as if the EHR had sent an OperationOutcome.

The Patient stays strict: invalid FHIR in it is ``InvalidInput`` naming the field
(``prefetch.patient.birthDate``, a 400), or, fetched from the server, a 412. So is the shape
of the request (a prefetch value that is not a JSON object, an entry without a resource):
``InvalidInput`` for the prefetch, the key unavailable when the server sent it.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.patient import Patient

from backpath.errors import FetchError, InvalidInput, PrefetchUnavailable
from backpath.instruments import odi, peg, startback
from backpath.interop import codes
from backpath.interop.cds_models import CdsRequest, PatientViewContext
from backpath.interop.cds_values import (
    Entry,
    Parsed,
    Unreadable,
    parse_value,
    read_resource,
)
from backpath.interop.medicines import medication_key


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
    "medications": (
        f"MedicationRequest?patient={PATIENT}&status=active&_include=MedicationRequest:medication"
    ),
    "medicationStatements": (
        f"MedicationStatement?patient={PATIENT}&status=active"
        "&_include=MedicationStatement:medication"
    ),
    "questionnaireResponses": (
        f"QuestionnaireResponse?patient={PATIENT}&status=completed&_sort=-authored&_count=20"
    ),
}
"""Prefetch key -> template, as published by discovery."""
REQUIRED = ("patient", "conditions", "observations", "medications")
OPTIONAL = ("medicationStatements", "questionnaireResponses")
TIMEOUT_SECONDS = 3.0
MAX_BYTES = 5_000_000
MAX_MEDICATION_FETCHES = 20
MAX_LOGGED = 20
FETCHED_MEDICATIONS = "referenced Medications"
"""The key under which Medications fetched by reference are listed when unreadable."""
logger = logging.getLogger(__name__)
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")


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
    unknown: dict[str, str] = field(default_factory=dict)
    """Keys whose data are not known -> why: the EHR sent an OperationOutcome (``the EHR
    said: ...``), or none of the key's resources could be read."""
    ignored: tuple[str, ...] = ()
    """Locations of unknown elements that were dropped."""
    unreadable: tuple[Unreadable, ...] = ()
    """Resources left out as not valid FHIR R4, in every key (unknown ones included)."""
    partial: dict[str, str] = field(default_factory=dict)
    """Keys whose searchset holds only part of the matches -> how (``_partial``)."""

    def of_type(self, resource_type: str) -> list[Entry]:
        return [e for e in self.entries if e.raw.get("resourceType") == resource_type]


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


def _missing_medications(entries: list[Entry], server: str) -> list[str]:
    """``Medication/<id>`` references on this server that no entry answers."""
    have = {
        f"Medication/{e.raw.get('id')}"
        for e in entries
        if e.raw.get("resourceType") == "Medication"
    }
    wanted: list[str] = []
    for entry in entries:
        reference = entry.raw.get("medicationReference")
        text = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(text, str) or text.startswith("#"):
            continue
        if "://" in text and not text.startswith(server.rstrip("/") + "/"):
            continue
        key = medication_key(text)
        if key is not None and key not in have and key not in wanted:
            wanted.append(key)
    return wanted[:MAX_MEDICATION_FETCHES]


def _fetch_medications(call: CdsRequest, entries: list[Entry], fetch: Fetch) -> Parsed:
    """Referenced Medications that came with no query, fetched from ``fhirServer``; one that
    cannot be fetched stays unresolved (the cards name the medicine as not recognised), and
    one that is not valid FHIR R4 is listed as unreadable too."""
    found = Parsed()
    if call.fhirServer is None or call.fhirAuthorization is None:
        return found
    server = str(call.fhirServer)
    for key in _missing_medications(entries, server):
        url = f"{server.rstrip('/')}/{key}"
        try:
            value = fetch(url, call.fhirAuthorization.access_token)
        except FetchError:
            continue
        if not isinstance(value, dict):
            continue
        entry = read_resource(value, f"fetched {key}", FETCHED_MEDICATIONS, found.ignored)
        if isinstance(entry, Unreadable):
            found.unreadable.append(entry)
        elif isinstance(entry.resource, Medication):
            found.entries.append(entry)
    return found


def gather(call: CdsRequest, fetch: Fetch = fetch_json) -> PatientData:
    """Every prefetch key's resources, prefetched or fetched.

    Raises ``InvalidInput`` for a request of the wrong shape or an invalid prefetched Patient,
    and ``PrefetchUnavailable`` when a required key (or the Patient itself) cannot be
    obtained. Other invalid resources are left out and listed in ``unreadable``.
    """
    given = call.prefetch or {}
    found: dict[str, Parsed] = {}
    missing: dict[str, str] = {}
    fetched: list[str] = []
    for key, template in PREFETCH.items():
        strict = key == "patient"
        if key in given:
            found[key] = parse_value(key, given[key], strict=strict)
            continue
        if call.fhirServer is None:
            missing[key] = "not in prefetch, and no fhirServer was given to fetch it from"
            continue
        if call.fhirAuthorization is None:
            missing[key] = "not in prefetch, and no fhirAuthorization was given for fhirServer"
            continue
        url = query_url(str(call.fhirServer), template, call.context)
        try:
            value = fetch(url, call.fhirAuthorization.access_token)
            found[key] = parse_value(key, value, strict=strict)
        except FetchError as exc:
            missing[key] = f"fetching {url} failed: {exc}"
            continue
        except InvalidInput as exc:
            missing[key] = f"{url} gave invalid FHIR ({exc})"
            continue
        fetched.append(key)
    patient_value = found.get("patient")
    if patient_value is not None and patient_value.outcome is not None:
        missing["patient"] = f"the EHR could not give the Patient ({patient_value.outcome})"
    elif patient_value is not None and not patient_value.entries:
        missing["patient"] = "null: the EHR has no Patient for context.patientId"
    required = {k: why for k, why in missing.items() if k in REQUIRED}
    if required:
        raise PrefetchUnavailable(required)
    assert patient_value is not None  # a required key
    patient = _patient(patient_value.entries, call.context.patientId)
    others = [
        e for key in PREFETCH if key != "patient" and key in found for e in found[key].entries
    ]
    medications = _fetch_medications(call, others, fetch)
    if medications.entries or medications.unreadable:
        fetched.append(FETCHED_MEDICATIONS)
    assert isinstance(patient.resource, Patient)  # checked by _patient
    parts = [*found.values(), medications]
    ignored = [i for p in parts for i in p.ignored]
    unreadable = [u for p in parts for u in p.unreadable]
    _log(call.hookInstance, ignored, unreadable, [p.envelope for p in parts if p.envelope])
    unknown = {k: why for k, p in found.items() if (why := p.unknown()) is not None}
    return PatientData(
        patient_id=call.context.patientId,
        patient=patient.resource,
        entries=(patient, *others, *medications.entries),
        unavailable={k: why for k, why in missing.items() if k in OPTIONAL},
        fetched=tuple(fetched),
        unknown=unknown,
        ignored=tuple(ignored),
        unreadable=tuple(unreadable),
        partial={k: p.partial for k, p in found.items() if p.partial and k not in unknown},
    )


def _listed(items: list[str]) -> str:
    more = f" and {len(items) - MAX_LOGGED} more" if len(items) > MAX_LOGGED else ""
    return ", ".join(items[:MAX_LOGGED]) + more


def _log(
    hook_instance: str, ignored: list[str], unreadable: list[Unreadable], envelopes: list[str]
) -> None:
    """One warning per kind of fault in a call, naming the locations and what is wrong."""
    call = hook_instance[:80]
    if ignored:
        logger.warning(
            "CDS call %s: FHIR elements R4 does not define were ignored: %s", call, _listed(ignored)
        )
    if unreadable:
        logger.warning(
            "CDS call %s: resources that are not valid FHIR R4 were left out: %s",
            call,
            _listed([str(u) for u in unreadable]),
        )
    if envelopes:
        logger.warning(
            "CDS call %s: Bundles that are not valid FHIR R4 (their entries were read): %s",
            call,
            _listed(envelopes),
        )
