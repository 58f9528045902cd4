"""Turn a FHIR R4 Bundle from an EHR (or from ``export_bundle``) into a backpath.intake/1.

Every entry is parsed with its ``fhir.resources.R4B`` model; a bad one raises
``InvalidInput`` naming it, e.g. ``entry[2].resource.status``. What is read:

- ``Patient``: age from ``birthDate`` (at the bundle's ``timestamp``, else today), sex from
  ``gender``.
- ``Condition`` (not inactive/resolved): SNOMED CT 279039007 or ICD-10-CM M54.5x set the
  region to low back, SNOMED CT 23056005 sets leg pain below the knee, ``onsetDateTime``
  gives the episode duration; codes of BackPath's ``condition-tag`` system become tags, and
  so do the codes ``data/condition_codes.yaml`` reads as a tag, the same as the CDS Hooks
  reader (SNOMED CT 84114007 or ICD-10-CM I50.9 -> ``heart_failure``).
- ``AllergyIntolerance`` (not inactive or resolved, nor refuted or entered in error): the
  allergy tags of ``data/condition_codes.yaml`` (SNOMED CT 300913006 or BackPath's
  ``shellfish_allergy`` code -> ``shellfish_allergy``); a Condition with those codes, as an
  older export wrote it or an EHR may list it, is read as well.
- ``MedicationStatement`` (active, intended or on hold): medicines of ``data/medicines.yaml``
  (RxNorm ingredients and products, ATC, SNOMED CT) set their condition tags, e.g. an
  anticoagulant -> ``anticoagulant_therapy``, and so does a BackPath ``condition-tag`` code of
  a medicine tag (as BackPath's export writes them). ``medicationReference`` to a contained
  Medication or to one in the bundle is followed (``backpath.interop.medicines``).
- ``QuestionnaireResponse`` for BackPath's questionnaires (canonical URL, with or without a
  ``|version``, as LHC-Forms sends it): instrument answers become the
  ``questionnaires`` arrays (NRS -> ``pain.nrs_now``), the red-flag screen becomes
  ``red_flags`` and ``intake_details`` answers go back to their intake paths, which win
  over what was inferred from Conditions.
- ``Observation`` LOINC 72514-3 gives ``pain.nrs_now`` when no NRS response is present.

The result is not validated here: ``backpath.engine.parse_intake`` does that and names any
field still missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from backpath.errors import InvalidInput
from backpath.instruments import INSTRUMENTS
from backpath.interop import codes
from backpath.interop.condition_codes import condition_codes, is_allergy, is_medicine
from backpath.interop.fhir_export import QUESTIONNAIRE_INSTRUMENTS
from backpath.interop.intake_details import DetailItem, by_link_id, store
from backpath.interop.medicines import ingredients_of, medicine_codes, medicine_table
from backpath.interop.questionnaire_scoring import questionnaire_id

_INACTIVE = {"inactive", "resolved", "remission"}
_NOT_TRUE = {"refuted", "entered-in-error"}
_TAKING = {"active", "intended", "on-hold"}


def medication_tags() -> dict[tuple[str, str], tuple[str, ...]]:
    """(system URI, code) -> the condition tags it sets, from ``data/medicines.yaml``."""
    return medicine_table().tags()


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _parse_resources(bundle: object) -> tuple[Bundle, list[FHIRAbstractModel]]:
    if not isinstance(bundle, dict):
        raise InvalidInput("bundle", "must be a JSON object (a FHIR Bundle)")
    if bundle.get("resourceType") != "Bundle":
        raise InvalidInput("resourceType", "must be 'Bundle'")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InvalidInput("entry", "must be a list")
    parsed: list[FHIRAbstractModel] = []
    for index, entry in enumerate(entries):
        field = f"entry[{index}].resource"
        raw = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(raw, dict):
            raise InvalidInput(field, "missing or not an object")
        try:
            model = get_fhir_model_class(str(raw.get("resourceType")))
        except ValueError:
            raise InvalidInput(f"{field}.resourceType", "not a FHIR R4 resource type") from None
        try:
            parsed.append(model.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InvalidInput(field + _location(tuple(err["loc"])), err["msg"]) from None
    shell = {key: value for key, value in bundle.items() if key != "entry"}
    try:
        parsed_bundle = Bundle.model_validate(shell)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInput(_location(tuple(err["loc"])).lstrip("."), err["msg"]) from None
    return parsed_bundle, parsed


def _codes(concept: CodeableConcept | None) -> list[tuple[str, str]]:
    if concept is None:
        return []
    return [(c.system or "", c.code or "") for c in concept.coding or []]


def _age(birth: date | str, as_of: date) -> int:
    if isinstance(birth, date):
        before_birthday = (as_of.month, as_of.day) < (birth.month, birth.day)
        return as_of.year - birth.year - int(before_birthday)
    return as_of.year - int(str(birth)[:4])


def _number(value: Any) -> Any:
    """FHIR decimals arrive as ``Decimal``; the intake wants plain JSON numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _answer_value(answer: QuestionnaireResponseItemAnswer) -> Any:
    for field in ("valueBoolean", "valueInteger", "valueDecimal", "valueString"):
        value = getattr(answer, field, None)
        if value is not None:
            return _number(value)
    if answer.valueCoding is not None and answer.valueCoding.code is not None:
        code = answer.valueCoding.code
        return int(code) if code.lstrip("-").isdigit() else code
    return None


def _first_answer(item: QuestionnaireResponseItem) -> Any:
    return _answer_value(item.answer[0]) if item.answer else None


class _Reader:
    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.intake: dict[str, Any] = {"schema": "backpath.intake/1"}
        self.inferred_episode: dict[str, Any] = {}
        self.tags: list[str] = []
        self.medications: dict[str, Medication] = {}
        self.nrs_observation: int | None = None

    def tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)

    def patient(self, resource: Patient) -> None:
        patient = self.intake.setdefault("patient", {})
        if resource.birthDate is not None:
            patient["age"] = _age(resource.birthDate, self.as_of)
        if resource.gender is not None:
            patient["sex"] = resource.gender

    def condition(self, resource: Condition) -> None:
        status = {code for _, code in _codes(resource.clinicalStatus)}
        if status & _INACTIVE:
            return
        found = _codes(resource.code)
        for tag, _ in condition_codes().tags_of(found):
            self.tag(tag)
        for system, code in found:
            if system == codes.CONDITION_TAGS:
                self.tag(code)
            elif (system, code) == (codes.SNOMED, codes.SCIATICA):
                self.inferred_episode["leg_pain"] = "below_knee"
            elif (system == codes.SNOMED and code == codes.LOW_BACK_PAIN) or (
                system == codes.ICD10CM and code.startswith("M54.5")
            ):
                self.inferred_episode.setdefault("region", "low_back")
                onset: date | None = resource.onsetDateTime
                if isinstance(onset, datetime):
                    onset = onset.date()
                if onset is not None:
                    days = (self.as_of - onset).days
                    self.inferred_episode["duration_weeks"] = round(max(days, 0) / 7, 1)

    def allergy(self, resource: AllergyIntolerance) -> None:
        clinical = {code for _, code in _codes(resource.clinicalStatus)}
        verification = {code for _, code in _codes(resource.verificationStatus)}
        if clinical & _INACTIVE or verification & _NOT_TRUE:
            return
        found = _codes(resource.code)
        for tag, _ in condition_codes().tags_of(found):
            if is_allergy(tag):
                self.tag(tag)
        for system, code in found:
            if system == codes.CONDITION_TAGS and is_allergy(code):
                self.tag(code)

    def medication(self, resource: MedicationStatement) -> None:
        if resource.status not in _TAKING:
            return
        found = medicine_codes(resource, self.medications)
        ingredients, _ = ingredients_of(found)
        for ingredient in ingredients:
            for tag in ingredient.tags:
                self.tag(tag)
        for system, code in found.codings:
            if system == codes.CONDITION_TAGS and is_medicine(code):
                self.tag(code)

    def observation(self, resource: Observation) -> None:
        if (codes.LOINC, "72514-3") in _codes(resource.code) and resource.valueInteger is not None:
            self.nrs_observation = int(resource.valueInteger)

    def response(self, resource: QuestionnaireResponse, field: str) -> None:
        instrument_id = questionnaire_id(resource.questionnaire) or ""
        items = resource.item or []
        if instrument_id in QUESTIONNAIRE_INSTRUMENTS:
            answers = {item.linkId: _first_answer(item) for item in items}
            definition = INSTRUMENTS[instrument_id].definition()
            values = [answers.get(item.id) for item in definition.items]
            if instrument_id == "nrs":
                self.intake.setdefault("pain", {})["nrs_now"] = values[0]
            else:
                self.intake.setdefault("questionnaires", {})[instrument_id] = values
        elif instrument_id == "red_flags":
            self.intake["red_flags"] = {item.linkId: _first_answer(item) for item in items}
        elif instrument_id == codes.INTAKE_DETAILS:
            self.details(items, field)

    def details(self, items: list[QuestionnaireResponseItem], field: str) -> None:
        known = by_link_id()
        for index, item in enumerate(items):
            detail = known.get(item.linkId or "")
            if detail is None:
                raise InvalidInput(f"{field}.item[{index}].linkId", f"unknown '{item.linkId}'")
            if detail.children:
                entries = self.intake.setdefault(detail.key, [])
                entries.append(self.group(detail, item))
            elif detail.repeats:
                store(self.intake, detail, [_answer_value(a) for a in item.answer or []])
            else:
                store(self.intake, detail, _first_answer(item))

    def group(self, detail: DetailItem, item: QuestionnaireResponseItem) -> dict[str, Any]:
        children = {child.link_id: child for child in detail.children}
        entry: dict[str, Any] = {}
        for child_item in item.item or []:
            child = children.get(child_item.linkId or "")
            if child is not None:
                entry[child.key] = _first_answer(child_item)
        return entry

    def finish(self) -> dict[str, Any]:
        episode = {**self.inferred_episode, **self.intake.get("episode", {})}
        self.intake["episode"] = episode
        pain = self.intake.setdefault("pain", {})
        if "nrs_now" not in pain and self.nrs_observation is not None:
            pain["nrs_now"] = self.nrs_observation
        if self.tags:
            self.intake["conditions"] = self.tags
        return self.intake


def intake_from_bundle(bundle: object, *, as_of: date | None = None) -> dict[str, Any]:
    """A backpath.intake/1 document from a FHIR R4 Bundle (JSON dict).

    ``as_of`` dates ages and onset durations; by default the bundle's ``timestamp``, else
    today. Raises ``InvalidInput`` naming the entry and field of an invalid resource.
    """
    parsed_bundle, parsed = _parse_resources(bundle)
    if as_of is None:
        stamp = parsed_bundle.timestamp
        as_of = stamp.date() if isinstance(stamp, datetime) else datetime.now(UTC).date()
    return intake_from_resources(parsed, as_of=as_of)


def intake_from_resources(parsed: Sequence[FHIRAbstractModel], *, as_of: date) -> dict[str, Any]:
    """The same from resources already validated (the CDS service has parsed them once);
    ``InvalidInput`` fields are ``entry[i].resource...`` with ``i`` the index in ``parsed``."""
    reader = _Reader(as_of)
    for resource in parsed:
        if isinstance(resource, Medication):
            reader.medications[f"Medication/{resource.id}"] = resource
    for index, resource in enumerate(parsed):
        if isinstance(resource, Patient):
            reader.patient(resource)
        elif isinstance(resource, Condition):
            reader.condition(resource)
        elif isinstance(resource, AllergyIntolerance):
            reader.allergy(resource)
        elif isinstance(resource, MedicationStatement):
            reader.medication(resource)
        elif isinstance(resource, Observation):
            reader.observation(resource)
        elif isinstance(resource, QuestionnaireResponse):
            reader.response(resource, f"entry[{index}].resource")
    return reader.finish()
