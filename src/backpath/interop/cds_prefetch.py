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

Every resource is parsed with its ``fhir.resources.R4B`` model, leniently: elements FHIR R4
does not define are dropped and logged (``lenient_fhir``). A resource that is not valid FHIR R4
for another reason (a malformed date, a wrong type, a bad code, a missing required element, a
resource type R4 does not have) is left out, that resource only, and listed in
``PatientData.unreadable`` with the first fault's location: refusing the call for it would lose
the red-flag card the other resources give. A key none of whose resources could be read is
*unknown*, as if the EHR had sent an OperationOutcome. The cards say both.

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

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.patient import Patient
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from backpath.errors import FetchError, InvalidInput, PrefetchUnavailable, field_path
from backpath.instruments import odi, peg, startback
from backpath.interop import codes
from backpath.interop.cds_models import CdsRequest, PatientViewContext
from backpath.interop.lenient_fhir import validate_leniently
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
MAX_SAID = 5
"""Faults named per prefetch key on a card (the rest are counted)."""
FETCHED_MEDICATIONS = "referenced Medications"
"""The key under which Medications fetched by reference are listed when unreadable."""
STATUSES: dict[str, frozenset[str]] = {
    "MedicationRequest": frozenset(
        {
            "active",
            "on-hold",
            "cancelled",
            "completed",
            "entered-in-error",
            "stopped",
            "draft",
            "unknown",
        }
    ),
    "MedicationStatement": frozenset(
        {
            "active",
            "completed",
            "entered-in-error",
            "intended",
            "stopped",
            "on-hold",
            "unknown",
            "not-taken",
        }
    ),
}
"""The statuses FHIR R4 allows (required bindings: the value sets medicationrequest-status
and medication-statement-status of FHIR 4.0.1) where the reader decides by status whether a
medicine is checked: another status would silently leave it unchecked, so it is unreadable."""
logger = logging.getLogger(__name__)
_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z]+)\s*\}\}")
_OUTCOME = "OperationOutcome"
_FAILED = {"error", "fatal"}


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
    """The resource as read: unknown elements already dropped."""
    resource: FHIRAbstractModel


@dataclass(frozen=True)
class Unreadable:
    """A resource left out because it is not valid FHIR R4 (more than unknown elements)."""

    key: str
    """The prefetch key it came with, or ``FETCHED_MEDICATIONS``."""
    location: str
    """Where the resource was, e.g. ``prefetch.conditions.entry[2].resource``."""
    field: str
    """The first fault, e.g. ``prefetch.conditions.entry[2].resource.onsetDateTime``."""
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def faults_text(faults: list[Unreadable]) -> str:
    """The first ``MAX_SAID`` faults as ``field: message``, the rest counted."""
    more = f"; and {len(faults) - MAX_SAID} more" if len(faults) > MAX_SAID else ""
    return "; ".join(str(f) for f in faults[:MAX_SAID]) + more


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


@dataclass
class Parsed:
    """One prefetch key's value, read."""

    entries: list[Entry] = field(default_factory=list)
    outcome: str | None = None
    """What the EHR's OperationOutcome said when it sent one in place of (or among) the data."""
    ignored: list[str] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    envelope: str | None = None
    """Why the Bundle itself is not valid FHIR R4 (its entries were still read)."""
    partial: str | None = None
    """How the searchset says it holds only part of the matches (a ``next`` page, or a
    ``total`` above the matches sent): what was sent is read, the rest is said missing."""

    def unknown(self) -> str | None:
        """Why this key's data are not known (see ``PatientData.unknown``), or None."""
        why = [f"the EHR said: {self.outcome}"] if self.outcome is not None else []
        if self.unreadable and (why or not self.entries):
            count = len(self.unreadable)
            if self.entries:
                head = f"{count} of its resources could not be read"
            elif count == 1:
                head = "its one resource could not be read"
            else:
                head = f"none of its {count} resources could be read"
            why.append(f"{head}: {faults_text(self.unreadable)}")
        return "; ".join(why) or None


def _clean(message: str) -> str:
    return " ".join(message.split())


def _read(
    raw: dict[str, Any], location: str, key: str, ignored: list[str] | None = None
) -> Entry | Unreadable:
    """One resource, validated once; what makes it invalid FHIR R4 is returned, not raised,
    for the caller to decide (left out, or refused for the Patient)."""
    kind = raw.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except ValueError:
        where = f"{location}.resourceType"
        return Unreadable(key, location, where, f"'{kind}' is not a FHIR R4 resource type")
    try:
        read = validate_leniently(model, raw, location)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if p != "resource_type"]
        message = _clean(err["msg"]).removeprefix("Value error, ")  # pydantic's own prefix
        return Unreadable(key, location, field_path(loc, location), message)
    except (ValueError, TypeError, RecursionError) as exc:
        return Unreadable(key, location, location, f"not valid FHIR ({_clean(str(exc))[:200]})")
    if ignored is not None:
        ignored += read.dropped
    allowed = STATUSES.get(str(kind))
    status = getattr(read.model, "status", None)
    if allowed is not None and status is not None and status not in allowed:
        return Unreadable(
            key,
            location,
            f"{location}.status",
            f"'{_clean(str(status))[:40]}' is not a {kind} status of FHIR R4 "
            f"({', '.join(sorted(allowed))})",
        )
    return Entry(location, read.raw, read.model)


def _resource(raw: object, location: str, ignored: list[str] | None = None) -> Entry:
    """One resource, strictly: ``InvalidInput`` names what is not valid FHIR R4."""
    if not isinstance(raw, dict):
        raise InvalidInput(location, "must be a FHIR resource (a JSON object)")
    found = _read(raw, location, "", ignored)
    if isinstance(found, Unreadable):
        raise InvalidInput(found.field, found.message)
    return found


def outcome_text(raw: dict[str, Any], *, failed_only: bool = False) -> str | None:
    """What an OperationOutcome says, in one line (None when ``failed_only`` and no issue is
    an error)."""
    parts: list[str] = []
    failed = False
    for issue in raw.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        failed = failed or issue.get("severity") in _FAILED
        details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
        text = issue.get("diagnostics") or (details or {}).get("text") or issue.get("code")
        if text:
            parts.append(_clean(str(text))[:200])
    if failed_only and not failed:
        return None
    return "; ".join(parts) or "no details given"


def _outcome(
    raw: dict[str, Any], location: str, ignored: list[str], *, failed_only: bool = False
) -> str | None:
    """What an OperationOutcome the EHR sent says. One that is not valid FHIR still says the
    query failed: refusing the call for it would lose the cards the rest of the data give."""
    try:
        read = _resource(raw, location, ignored).raw
    except InvalidInput as exc:
        return f"an OperationOutcome that is not valid FHIR ({exc})"
    return outcome_text(read, failed_only=failed_only)


def _add(parsed: Parsed, found: Entry | Unreadable, strict: bool) -> None:
    if isinstance(found, Entry):
        parsed.entries.append(found)
    elif strict:
        raise InvalidInput(found.field, found.message)
    else:
        parsed.unreadable.append(found)


def parse_value(key: str, value: object, *, strict: bool = False) -> Parsed:
    """The resources of one prefetch value (a resource or a searchset Bundle; None: none).

    A resource that is not valid FHIR R4 is left out and listed in ``unreadable``, or, when
    ``strict`` (the Patient), ``InvalidInput``. A value of the wrong shape is ``InvalidInput``
    either way."""
    location = f"prefetch.{key}"
    parsed = Parsed()
    if value is None:
        return parsed
    if not isinstance(value, dict):
        raise InvalidInput(location, "must be a FHIR resource or Bundle (a JSON object), or null")
    if value.get("resourceType") == _OUTCOME:
        parsed.outcome = _outcome(value, location, parsed.ignored)
        return parsed
    if value.get("resourceType") != "Bundle":
        _add(parsed, _read(value, location, key, parsed.ignored), strict)
        return parsed
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        raise InvalidInput(f"{location}.entry", "must be a list")
    outcomes: list[str] = []
    for index, item in enumerate(entries):
        where = f"{location}.entry[{index}]"
        raw = item.get("resource") if isinstance(item, dict) else None
        if raw is None:
            raise InvalidInput(f"{where}.resource", "required: each entry holds a resource")
        if not isinstance(raw, dict):
            raise InvalidInput(f"{where}.resource", "must be a FHIR resource (a JSON object)")
        if raw.get("resourceType") == _OUTCOME:
            said = _outcome(raw, f"{where}.resource", parsed.ignored, failed_only=True)
            if said is not None:
                outcomes.append(said)
            continue
        _add(parsed, _read(raw, f"{where}.resource", key, parsed.ignored), strict)
    if outcomes:
        parsed.outcome = "; ".join(outcomes)
    parsed.partial = _partial(value, entries)
    shell = {k: v for k, v in value.items() if k != "entry"}
    envelope = _read(shell, location, key, parsed.ignored)
    if isinstance(envelope, Unreadable):
        if strict:
            raise InvalidInput(envelope.field, envelope.message)
        parsed.envelope = str(envelope)  # it holds no data: logged, and the entries read
    return parsed


def _partial(bundle: dict[str, Any], entries: list[Any]) -> str | None:
    """Why a searchset holds only part of its matches, or None: a page of a longer result
    read as the whole would hide, say, a red-flag condition on page 2."""
    links = bundle.get("link")
    pages = links if isinstance(links, list) else []
    if any(isinstance(link, dict) and link.get("relation") == "next" for link in pages):
        return f"{len(entries)} entries on this page, and a next page BackPath did not read"
    total = bundle.get("total")
    matches = [
        e for e in entries
        if not (isinstance(e, dict) and isinstance(e.get("search"), dict)
                and e["search"].get("mode") in ("include", "outcome"))
    ]  # fmt: skip
    if isinstance(total, int) and not isinstance(total, bool) and total > len(matches):
        return f"{len(matches)} of {total} matches were sent"
    return None


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
        entry = _read(value, f"fetched {key}", FETCHED_MEDICATIONS, found.ignored)
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
