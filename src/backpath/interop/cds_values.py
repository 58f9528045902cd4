"""One prefetch value read: a resource or a ``searchset`` Bundle, each resource validated once.

Every resource is parsed with its ``fhir.resources.R4B`` model, leniently: elements FHIR R4
does not define are dropped and logged (``lenient_fhir``). A resource that is not valid FHIR R4
for another reason (a malformed date, a wrong type, a bad code, a missing required element, a
resource type R4 does not have) is left out, that resource only, and listed as ``Unreadable``
with the first fault's location: refusing the call for it would lose the red-flag card the
other resources give. An OperationOutcome in place of the value, or an error outcome inside
the searchset, is what the EHR said instead of data; a searchset holding only part of its
matches says so (``Parsed.partial``). The Patient is read strictly (``strict=True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from backpath.errors import InvalidInput, field_path
from backpath.interop.lenient_fhir import validate_leniently

MAX_SAID = 5
"""Faults named per prefetch key on a card (the rest are counted)."""
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


def read_resource(
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
    found = read_resource(raw, location, "", ignored)
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
        _add(parsed, read_resource(value, location, key, parsed.ignored), strict)
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
        _add(parsed, read_resource(raw, f"{where}.resource", key, parsed.ignored), strict)
    if outcomes:
        parsed.outcome = "; ".join(outcomes)
    parsed.partial = _partial(value, entries)
    shell = {k: v for k, v in value.items() if k != "entry"}
    envelope = read_resource(shell, location, key, parsed.ignored)
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


_OUTCOME = "OperationOutcome"
_FAILED = {"error", "fatal"}
