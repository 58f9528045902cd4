"""Human-readable narratives (``Resource.text``) for the resources BackPath emits.

Each is ``status: generated``: one short XHTML ``<div>`` summarising the resource's own
elements in plain words, so a person reading the JSON (or an EHR showing only the narrative)
sees what it says. Nothing is in the narrative that is not in the structured data. Text is
escaped; the div carries the XHTML namespace, as FHIR requires.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any, TypeVar

from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.narrative import Narrative

XHTML = "http://www.w3.org/1999/xhtml"
R = TypeVar("R", bound=DomainResource)


def narrative(*sentences: str) -> Narrative:
    """A generated narrative of one paragraph per sentence (each escaped)."""
    paragraphs = "".join(f"<p>{escape(s)}</p>" for s in sentences if s)
    return Narrative(status="generated", div=f'<div xmlns="{XHTML}">{paragraphs}</div>')


def _concept(value: Any) -> str:
    if value is None:
        return "unspecified"
    if value.text:
        return str(value.text)
    names = [c.display or c.code for c in value.coding or [] if c.display or c.code]
    return " / ".join(str(n) for n in names) or "unspecified"


def _day(value: Any) -> str:
    """The date part of a date or date-time ('undated' if none)."""
    return str(value)[:10] if value else "undated"


def _patient(r: Any) -> list[str]:
    name = " ".join(n for n in (*(r.name[0].given or []), r.name[0].family) if n) if r.name else ""
    return [f"Patient {name or r.id}, born {r.birthDate or 'unknown'}, gender {r.gender}."]


def _condition(r: Any) -> list[str]:
    status = _concept(r.clinicalStatus)
    return [f"Condition: {_concept(r.code)} ({status}), recorded {_day(r.recordedDate)}."]


def _allergy(r: Any) -> list[str]:
    status = f"{_concept(r.clinicalStatus)}, {_concept(r.verificationStatus)}"
    kinds = ", ".join(str(c) for c in r.category or [])
    return [
        f"Allergy: {_concept(r.code)} ({status}; {r.type or 'type unknown'}"
        f"{f', {kinds}' if kinds else ''}), recorded {_day(r.recordedDate)}."
    ]


def _medication_statement(r: Any) -> list[str]:
    medicine = _concept(r.medicationCodeableConcept)
    return [f"Medication: {medicine} ({r.status}), stated {_day(r.dateAsserted)}."]


def _observation(r: Any) -> list[str]:
    if r.valueCodeableConcept is not None:
        value = _concept(r.valueCodeableConcept)
    elif r.valueQuantity is not None:
        value = f"{r.valueQuantity.value} {r.valueQuantity.unit or ''}".strip()
    else:
        value = str(r.valueInteger)
    return [f"{_concept(r.code)}: {value} ({r.status}), {_day(r.effectiveDateTime)}."]


def _response(r: Any) -> list[str]:
    name = str(r.questionnaire).rsplit("/", 1)[-1]
    count = len(r.item or [])
    return [f"Answers to questionnaire {name} ({r.status}), {_day(r.authored)}: items {count}."]


def _care_plan(r: Any) -> list[str]:
    details = [a.detail for a in r.activity or [] if a.detail is not None]
    done = [_concept(d.code) for d in details if not d.doNotPerform]
    skipped = [_concept(d.code) for d in details if d.doNotPerform]
    return [
        f"{r.title} ({r.status}): {r.description}.",
        f"Recommended: {', '.join(done) or 'none'}.",
        f"Not recommended: {', '.join(skipped) or 'none'}.",
    ]


def _questionnaire(r: Any) -> list[str]:
    return [f"{r.title}: {len(r.item or [])} questions.", str(r.description or "")]


def _code_system(r: Any) -> list[str]:
    names = ", ".join(f"{c.code} ({c.display})" if c.display else c.code for c in r.concept or [])
    return [
        f"{r.title}: code system {r.url}, version {r.version} ({r.status}), {r.count} codes.",
        str(r.description or ""),
        f"Codes: {names}.",
    ]


def _structure_definition(r: Any) -> list[str]:
    where = ", ".join(c.expression for c in r.context or [])
    return [
        f"{r.title}: {r.type} {r.url}, version {r.version} ({r.status}), used on {where}.",
        str(r.description or ""),
    ]


def _capability(r: Any) -> list[str]:
    types = ", ".join(res.type for rest in r.rest or [] for res in rest.resource or [])
    return [f"{r.title}, FHIR {r.fhirVersion}, JSON only.", f"Serves: {types}."]


def _outcome(r: Any) -> list[str]:
    return [f"{i.severity}: {i.diagnostics or i.code}" for i in r.issue]


SUMMARIES: dict[str, Callable[[Any], list[str]]] = {
    "Patient": _patient,
    "Condition": _condition,
    "AllergyIntolerance": _allergy,
    "MedicationStatement": _medication_statement,
    "Observation": _observation,
    "QuestionnaireResponse": _response,
    "CarePlan": _care_plan,
    "Questionnaire": _questionnaire,
    "CodeSystem": _code_system,
    "StructureDefinition": _structure_definition,
    "CapabilityStatement": _capability,
    "OperationOutcome": _outcome,
}


def with_narrative(resource: R) -> R:
    """``resource`` with a generated ``text`` (kept if it has one). Raises ``KeyError`` for a
    resource type BackPath does not emit, so a new type cannot go out without one."""
    if resource.text is None:
        resource.text = narrative(*SUMMARIES[resource.get_resource_type()](resource))
    return resource
