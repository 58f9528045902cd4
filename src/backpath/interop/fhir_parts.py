"""FHIR R4 (4.0.1) building blocks shared by the export: codings, references, timing and the
Questionnaire resources (one per instrument, plus BackPath's intake-details questionnaire).

Built only from fhir.resources R4B models (identical to R4 here; see ``backpath.interop``),
so each part is validated as it is made.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.timing import Timing, TimingRepeat

from backpath.instruments import INSTRUMENTS
from backpath.instruments.definition import InstrumentDefinition
from backpath.interop import codes
from backpath.interop.intake_details import DETAIL_ITEMS, DetailItem
from backpath.interop.narrative import with_narrative

ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"


def coding(system: str, code: str, display: str | None = None) -> Coding:
    return Coding(system=system, code=code, display=display)


def concept(*codings: Coding, text: str | None = None) -> CodeableConcept:
    return CodeableConcept(coding=list(codings) or None, text=text)


def ref(resource_type: str, resource_id: str) -> Reference:
    return Reference(reference=f"{resource_type}/{resource_id}")


def fhir_id(text: str) -> str:
    return text.replace("_", "-")


def instrument_definition(instrument_id: str) -> InstrumentDefinition[Any]:
    return INSTRUMENTS[instrument_id].definition()


def loinc(instrument_id: str, code: str) -> Coding:
    """A LOINC code of an instrument with LOINC's own display, from the instrument's data."""
    return coding(codes.LOINC, code, instrument_definition(instrument_id).loinc_name(code))


def rmdq_total() -> Coding:
    """The Roland-Morris total in BackPath's ``instrument-scores`` system (no LOINC code was
    found); its display is the one the published CodeSystem gives."""
    name = instrument_definition("rmdq").name
    return coding(codes.INSTRUMENT_SCORES, codes.RMDQ_SCORE, f"{name} total score")


def timing(schedule: dict[str, Any]) -> Timing | None:
    repeat: dict[str, Any] = {}
    if schedule.get("per_week"):
        repeat.update(frequency=schedule["per_week"], period=1, periodUnit="wk")
    if schedule.get("minutes"):
        repeat.update(duration=schedule["minutes"], durationUnit="min")
    if schedule.get("sessions"):
        repeat["count"] = schedule["sessions"]
    if schedule.get("weeks"):
        weeks = Decimal(str(schedule["weeks"]))
        repeat["boundsDuration"] = {
            "value": weeks,
            "unit": "wk",
            "system": codes.UCUM,
            "code": "wk",
        }
    if not repeat:
        return None
    return Timing(repeat=TimingRepeat(**repeat))


def radio_buttons() -> Extension:
    """Ask form fillers (e.g. LHC-Forms) to show every option at once, as the validated
    paper forms do, rather than hiding them in a drop-down list."""
    control = concept(coding(ITEM_CONTROL_CODES, "radio-button", "Radio Button"))
    return Extension(url=ITEM_CONTROL, valueCodeableConcept=control)


def instrument_questionnaire(instrument_id: str) -> Questionnaire:
    definition = instrument_definition(instrument_id)
    items = []
    for item in definition.items:
        code = [loinc(instrument_id, item.loinc)] if item.loinc else None
        if instrument_id == "red_flags":
            items.append(
                QuestionnaireItem(linkId=item.id, text=item.label, type="boolean", code=code)
            )
            continue
        options = [
            QuestionnaireItemAnswerOption(
                valueCoding=coding(codes.answer_system(instrument_id), str(o.value), o.label)
            )
            for o in item.options
        ]
        items.append(
            QuestionnaireItem(
                linkId=item.id,
                text=item.label,
                type="choice",
                code=code,
                answerOption=options,
                required=instrument_id != "odi",
                extension=[radio_buttons()],
            )
        )
    panel = definition.loinc.panel if definition.loinc else None
    return with_narrative(
        Questionnaire(
            id=fhir_id(instrument_id),
            url=codes.questionnaire_url(instrument_id),
            version=codes.questionnaire_version(definition.version),
            name=instrument_id.replace("_", " ").title().replace(" ", ""),
            title=definition.name,
            status="active",
            description=definition.description,
            copyright=definition.licence.notice,  # the instrument's notice travels with it
            code=[loinc(instrument_id, panel)] if panel else None,
            item=items,
        )
    )


def details_questionnaire() -> Questionnaire:
    def item(detail: DetailItem) -> QuestionnaireItem:
        children = [item(child) for child in detail.children] or None
        return QuestionnaireItem(
            linkId=detail.link_id,
            text=detail.text,
            type=detail.fhir_type,
            repeats=detail.repeats,
            item=children,
        )

    return with_narrative(
        Questionnaire(
            id=fhir_id(codes.INTAKE_DETAILS),
            url=codes.questionnaire_url(codes.INTAKE_DETAILS),
            name="IntakeDetails",
            title="BackPath intake details",
            status="active",
            description="Intake facts that no standard instrument records, keyed by intake path.",
            item=[item(detail) for detail in DETAIL_ITEMS],
        )
    )


def detail_responses(detail: DetailItem, value: Any) -> list[QuestionnaireResponseItem]:
    """Response items for one intake detail; a repeating group gives one item per entry."""
    if detail.children:
        return [
            QuestionnaireResponseItem(
                linkId=detail.link_id,
                text=detail.text,
                item=[
                    response
                    for child in detail.children
                    if entry.get(child.key) is not None
                    for response in detail_responses(child, entry[child.key])
                ],
            )
            for entry in value
        ]
    values = value if detail.repeats else [value]
    answers = [QuestionnaireResponseItemAnswer(**{detail.answer_field: v}) for v in values]
    return [QuestionnaireResponseItem(linkId=detail.link_id, text=detail.text, answer=answers)]
