"""What the prefetched FHIR data say about the person, as facts the card rules use.

- ``serious``: active Conditions with a red-flag code (``cds_codes.yaml``), e.g. cauda equina
  syndrome or a vertebral fracture.
- ``screen``: BackPath's red-flag screen, when a QuestionnaireResponse of it is present.
- ``tags``: condition tags with the evidence for each (BackPath condition-tag codes,
  comorbidity codes from ``condition_codes.yaml`` on Conditions, and its allergy codes on
  AllergyIntolerances when the prefetch holds any, medicines from ``medicines.yaml``, age).
- ``medicines``: active MedicationRequests and MedicationStatements with their codes and the
  ingredients they were matched to; ``unrecognised`` are those matched to none, which the
  cards name (an unknown medicine is never read as "nothing to check").
- ``risk``: the newest STarT Back group, from a BackPath questionnaire response, an
  Observation 91352-5, or the total 91351-7 with the distress subscore 91350-9.
- ``intake``: a backpath.intake/1 draft read with ``intake_from_resources`` (not yet validated).

Data that are valid FHIR but cannot be read (an incomplete questionnaire response, an
unknown intake item) are listed in ``problems`` instead of failing the whole call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation

from backpath import contract
from backpath.engine import Assessment, assess, parse_intake
from backpath.errors import InvalidInput
from backpath.instruments import red_flags, startback
from backpath.instruments.red_flags import RedFlagsResult
from backpath.interop import codes
from backpath.interop.cds_codes import cds_codes, find
from backpath.interop.cds_prefetch import PatientData
from backpath.interop.cds_values import Entry, Unreadable
from backpath.interop.condition_codes import condition_codes, is_allergy
from backpath.interop.fhir_import import intake_from_resources
from backpath.interop.medicines import (
    CodingKey,
    Ingredient,
    codings,
    concept_name,
    ingredients_of,
    medicine_codes,
    medicine_table,
)
from backpath.knowledge import load_knowledge

RiskGroup = Literal["low", "medium", "high"]
SYSTEM_NAMES = {
    codes.SNOMED: "SNOMED CT",
    codes.ICD10CM: "ICD-10-CM",
    codes.LOINC: "LOINC",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://www.whocc.no/atc": "ATC",
}
_INACTIVE = {"inactive", "resolved", "remission"}
_NOT_TRUE = {"refuted", "entered-in-error"}
_FINAL = {"final", "amended", "corrected"}
_REQUEST_TAKING = {"active", "on-hold", "draft", "unknown"}
_STATEMENT_TAKING = {"active", "intended", "on-hold", "unknown"}
"""Read on the cautious side: a medicine held for a while (an anticoagulant stopped for a
procedure), about to be ordered, or of unknown status may still clash, so it counts, and the
card names its status when it is not plain ``active``."""


@dataclass(frozen=True)
class SeriousFinding:
    suspect: str
    text: str
    """e.g. ``Cauda equina syndrome (SNOMED CT 192970008)``."""


@dataclass(frozen=True)
class Medicine:
    name: str
    kind: str
    """``MedicationRequest`` or ``MedicationStatement``."""
    codings: tuple[CodingKey, ...]
    location: str
    ingredients: tuple[Ingredient, ...] = ()
    matched: CodingKey | None = None
    """The coding the ingredients were found by."""
    unresolved: str = ""
    """A ``medicationReference`` that could not be followed."""
    status: str = "active"
    """The request's or statement's status; any other than ``active`` is named on cards."""

    def _status(self) -> str:
        return "" if self.status == "active" else f" (status: {self.status})"

    def label(self) -> str:
        """The medicine's name, or its ingredients' names, with a status other than active."""
        name = self.name or " / ".join(i.name for i in self.ingredients) or "a medicine"
        return name + self._status()

    def described(self) -> str:
        """Name and codes, as a card names a medicine it did not recognise."""
        codes = ", ".join(code_text(c) for c in self.codings) or "no code"
        where = f"; its Medication {self.unresolved} was not found" if self.unresolved else ""
        return f"{self.name or 'unnamed medicine'}{self._status()} ({self.kind}, {codes}{where})"


@dataclass(frozen=True)
class RiskFinding:
    group: RiskGroup
    evidence: str


@dataclass
class Reading:
    intake: dict[str, Any]
    age: int | None = None
    serious: list[SeriousFinding] = field(default_factory=list)
    screen: RedFlagsResult | None = None
    screen_evidence: str = ""
    tags: dict[str, list[str]] = field(default_factory=dict)
    """Condition tag -> evidence lines."""
    tag_locations: dict[str, set[str]] = field(default_factory=dict)
    """Condition tag -> locations of the resources it came from."""
    medicines: list[Medicine] = field(default_factory=list)
    unrecognised: list[Medicine] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)
    """Prefetch keys whose data are not known -> why (``PatientData.unknown``)."""
    unreadable: list[Unreadable] = field(default_factory=list)
    """Resources left out as not valid FHIR R4, of the keys that are not unknown."""
    partial: dict[str, str] = field(default_factory=dict)
    """Keys of which the EHR sent only part (``PatientData.partial``)."""
    risk: RiskFinding | None = None
    problems: list[str] = field(default_factory=list)
    _assessed: Assessment | InvalidInput | None = field(default=None, repr=False)

    def assessment(self) -> Assessment:
        """BackPath's assessment of the intake read, made once for every card that needs it;
        raises ``InvalidInput`` naming what the intake lacks."""
        if self._assessed is None:
            try:
                self._assessed = assess(parse_intake(self.intake))
            except InvalidInput as exc:
                self._assessed = exc
        if isinstance(self._assessed, InvalidInput):
            raise self._assessed
        return self._assessed

    def add_tag(self, tag: str, evidence: str, location: str = "") -> None:
        lines = self.tags.setdefault(tag, [])
        if evidence not in lines:
            lines.append(evidence)
        if location:
            self.tag_locations.setdefault(tag, set()).add(location)


def code_text(coding: CodingKey) -> str:
    """``RxNorm 1364447``; a system sent as its HL7 OID is named as the system it is."""
    system, code = coding
    system = medicine_table().system_uris.get(system, system)
    return f"{SYSTEM_NAMES.get(system, system or 'no system')} {code}"


def when(resource: Any) -> str:
    """The resource's date as ISO text (sortable), or ``""``."""
    for name in ("authored", "effectiveDateTime", "issued", "recordedDate", "dateAsserted"):
        value = getattr(resource, name, None)
        if isinstance(value, datetime | date):
            return value.isoformat()
        if value:
            return str(value)
    return ""


def _age(birth: object, today: date) -> int | None:
    if isinstance(birth, date):
        return today.year - birth.year - int((today.month, today.day) < (birth.month, birth.day))
    if isinstance(birth, str) and birth[:4].isdigit():
        return today.year - int(birth[:4])
    return None


def _is_active(resource: Condition | AllergyIntolerance) -> bool:
    clinical = {code for _, code in codings(resource.clinicalStatus)}
    verification = {code for _, code in codings(resource.verificationStatus)}
    return not (clinical & _INACTIVE or verification & _NOT_TRUE)


def _conditions(data: PatientData, reading: Reading) -> None:
    table = cds_codes()
    kb = load_knowledge()
    for entry in data.of_type("Condition"):
        condition = entry.resource
        assert isinstance(condition, Condition)
        if not _is_active(condition):
            continue
        found = codings(condition.code)
        name = concept_name(condition.code) or "a condition"
        for row, coding in find(table, table.serious_conditions, found):
            suspect = getattr(row, "suspect", "")
            reading.serious.append(SeriousFinding(suspect, f"{name} ({code_text(coding)})"))
        for tag, coding in condition_codes().tags_of(found):
            reading.add_tag(tag, f"Condition: {name} ({code_text(coding)})", entry.location)
        for system, code in found:
            if system == codes.CONDITION_TAGS and code in kb.conditions:
                reading.add_tag(code, f"Condition: {name} (BackPath tag)", entry.location)


def _allergies(data: PatientData, reading: Reading) -> None:
    """AllergyIntolerances, when the prefetch holds any (no prefetch key asks for them)."""
    for entry in data.of_type("AllergyIntolerance"):
        allergy = entry.resource
        assert isinstance(allergy, AllergyIntolerance)
        if not _is_active(allergy):
            continue
        found = codings(allergy.code)
        name = concept_name(allergy.code) or "an allergy"
        for tag, coding in condition_codes().tags_of(found):
            if is_allergy(tag):
                evidence = f"AllergyIntolerance: {name} ({code_text(coding)})"
                reading.add_tag(tag, evidence, entry.location)
        for system, code in found:
            if system == codes.CONDITION_TAGS and is_allergy(code):
                evidence = f"AllergyIntolerance: {name} (BackPath tag)"
                reading.add_tag(code, evidence, entry.location)


def _medicines(data: PatientData, reading: Reading) -> None:
    referenced: dict[str, Medication] = {}
    for entry in data.of_type("Medication"):
        assert isinstance(entry.resource, Medication)
        referenced[f"Medication/{entry.resource.id}"] = entry.resource
    for entry in data.entries:
        resource = entry.resource
        if isinstance(resource, MedicationRequest):
            taking = resource.status in _REQUEST_TAKING
        elif isinstance(resource, MedicationStatement):
            taking = resource.status in _STATEMENT_TAKING
        else:
            continue
        if not taking:
            continue
        found = medicine_codes(resource, referenced)
        ingredients, matched = ingredients_of(found)
        medicine = Medicine(
            found.name,
            type(resource).__name__,
            found.codings,
            entry.location,
            ingredients,
            matched,
            found.unresolved,
            str(resource.status or "unknown"),
        )
        reading.medicines.append(medicine)
        if not ingredients:
            reading.unrecognised.append(medicine)
            continue
        coded = f" ({code_text(matched)})" if matched else ""
        evidence = f"{medicine.kind}: {medicine.label()}{coded}"
        for ingredient in ingredients:
            for tag in ingredient.tags:
                reading.add_tag(tag, evidence, medicine.location)


def _questionnaire_id(entry: Entry) -> str:
    url = str(getattr(entry.resource, "questionnaire", "") or "")
    prefix = codes.questionnaire_url("")
    return url[len(prefix) :] if url.startswith(prefix) else ""


def _last_response(data: PatientData, questionnaire: str) -> Entry | None:
    found = [
        e for e in data.of_type("QuestionnaireResponse") if _questionnaire_id(e) == questionnaire
    ]
    return max(found, key=lambda e: when(e.resource), default=None)


def _intake(data: PatientData, today: date, reading: Reading) -> None:
    ordered = sorted(data.entries[1:], key=lambda e: when(e.resource))
    entries = [data.entries[0], *ordered]
    try:
        reading.intake = intake_from_resources([e.resource for e in entries], as_of=today)
    except InvalidInput as exc:
        location, rest = exc.field, ""
        if exc.field.startswith("entry["):
            index, _, rest = exc.field[len("entry[") :].partition("]")
            location = entries[int(index)].location + rest.removeprefix(".resource")
        reading.problems.append(f"{location}: {exc.message}; the BackPath intake was not read")


def _screen(data: PatientData, reading: Reading) -> None:
    answers = reading.intake.get("red_flags")
    entry = _last_response(data, "red-flags")
    if answers is None or entry is None:
        return
    try:
        reading.screen = red_flags.score(answers)
    except InvalidInput as exc:
        reading.problems.append(
            f"{entry.location}: the red-flag screen could not be read ({exc}); "
            "ask about red flags before acting on any plan"
        )
        return
    reading.screen_evidence = f"BackPath red-flag screen ({when(entry.resource)[:10]})"


def _group_of(total: int, distress: int | None) -> RiskGroup | None:
    scoring = startback.definition().scoring
    if total <= scoring.low_max_total:
        return "low"
    if distress is None:
        return None
    return "medium" if distress <= scoring.medium_max_psychosocial else "high"


def _number(observation: Observation) -> int | None:
    if observation.valueInteger is not None:
        return int(observation.valueInteger)
    quantity = observation.valueQuantity
    if quantity is not None and quantity.value is not None:
        return int(quantity.value)
    return None


_GROUPS: dict[str, RiskGroup] = {"low": "low", "medium": "medium", "high": "high"}


def _risk_from_observations(data: PatientData) -> list[tuple[str, int, RiskFinding]]:
    """Candidates (date, preference, finding) from STarT Back Observations."""
    loinc = startback.definition().loinc
    assert loinc is not None and loinc.group is not None and loinc.score is not None
    by_answer = {answer: _GROUPS[name] for name, answer in loinc.group.answers.items()}
    distress_code = loinc.subscores["psychosocial"]
    candidates: list[tuple[str, int, RiskFinding]] = []
    latest: dict[str, tuple[str, int]] = {}
    for entry in data.of_type("Observation"):
        observation = entry.resource
        assert isinstance(observation, Observation)
        if observation.status not in _FINAL:
            continue
        stamp = when(observation)
        found = {code for system, code in codings(observation.code) if system == codes.LOINC}
        if loinc.group.code in found:
            for system, code in codings(observation.valueCodeableConcept):
                if system == codes.LOINC and code in by_answer:
                    evidence = f"Observation LOINC {loinc.group.code} ({stamp[:10] or 'undated'})"
                    candidates.append((stamp, 1, RiskFinding(by_answer[code], evidence)))
        for code in found & {loinc.score, distress_code}:
            value = _number(observation)
            if value is not None and stamp >= latest.get(code, ("", 0))[0]:
                latest[code] = (stamp, value)
    if loinc.score in latest:
        stamp, total = latest[loinc.score]
        distress = latest[distress_code][1] if distress_code in latest else None
        computed = _group_of(total, distress)
        if computed is not None:
            parts = f"total {total}" + (f", distress {distress}" if distress is not None else "")
            evidence = f"Observations LOINC {loinc.score}/{distress_code}: {parts} ({stamp[:10]})"
            candidates.append((stamp, 0, RiskFinding(computed, evidence)))
    return candidates


def _risk(data: PatientData, reading: Reading) -> None:
    """The newest STarT Back group; BackPath's own questionnaire wins a tie."""
    candidates = _risk_from_observations(data)
    answers = reading.intake.get("questionnaires", {}).get("startback")
    response = _last_response(data, "startback")
    if answers is not None and response is not None:
        try:
            result = startback.score(answers)
        except InvalidInput as exc:
            reading.problems.append(f"{response.location}: STarT Back answers not usable ({exc})")
        else:
            stamp = when(response.resource)
            evidence = (
                f"BackPath STarT Back questionnaire ({stamp[:10] or 'undated'}): "
                f"total {result.total}, distress {result.psychosocial}"
            )
            candidates.append((stamp, 2, RiskFinding(result.group, evidence)))
    if candidates:
        reading.risk = max(candidates, key=lambda c: (c[0], c[1]))[2]


def read(data: PatientData, today: date) -> Reading:
    """Everything the card rules need, read from the prefetched resources."""
    reading = Reading(
        intake={},
        unknown=dict(data.unknown),
        unreadable=[u for u in data.unreadable if u.key not in data.unknown],
        partial=dict(data.partial),
    )
    _intake(data, today, reading)
    reading.age = _age(data.patient.birthDate, today)
    _conditions(data, reading)
    _allergies(data, reading)
    _medicines(data, reading)
    kb = load_knowledge()
    if reading.age is not None and reading.age >= kb.policy.older_adult.age:
        reading.add_tag("older_adult", f"age {reading.age}")
    if reading.intake.get("patient", {}).get("pregnant") is True:
        reading.add_tag("pregnancy", "BackPath intake: pregnant")
    for tag in reading.intake.get("conditions", []):
        if tag not in reading.tags:
            reading.add_tag(tag, "BackPath intake")
    allowed = set(contract.condition_tags())
    if reading.intake:
        reading.intake["conditions"] = sorted(t for t in reading.tags if t in allowed)
    _screen(data, reading)
    _risk(data, reading)
    return reading
