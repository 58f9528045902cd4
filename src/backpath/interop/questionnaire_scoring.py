"""Score a FHIR R4 QuestionnaireResponse to one of BackPath's instrument Questionnaires,
whoever filled it in (BackPath's export, an EHR, or a form filler such as LHC-Forms).

The instrument comes from the response's ``questionnaire`` canonical URL (a ``|version``
suffix must match the instrument's version). Choice answers must be ``valueCoding`` from the
instrument's answer system with one of its option codes; red flags are ``valueBoolean``.
Every rejection is ``InvalidInput`` naming the place, e.g. ``startback.leg_pain`` for an
item's answer (instrument id and linkId) or ``questionnaire`` for the canonical URL.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from pydantic import ValidationError

from backpath.errors import InvalidInput, field_error
from backpath.instruments import INSTRUMENTS, score
from backpath.instruments.answers import allowed_values
from backpath.instruments.definition import InstrumentDefinition, Item
from backpath.instruments.result import InstrumentResult
from backpath.interop import codes

Answers = int | list[int | None] | dict[str, bool]
"""What ``backpath.instruments.score`` takes: one NRS value, a list in item order (ODI may
hold None for a blank section), or red flag id -> bool."""

_OPTIONAL_ITEMS = {"odi"}
"""Instruments whose published scoring allows unanswered items."""


def questionnaire_id(canonical: str | None) -> str | None:
    """BackPath's questionnaire id (``startback``, ``red_flags``, ``intake_details``...) of a
    canonical URL, with any ``|version`` dropped; None when it is not one of ours."""
    prefix = codes.questionnaire_url("")
    url = (canonical or "").split("|", 1)[0]
    if not url.startswith(prefix) or url == prefix:
        return None
    return url[len(prefix) :].replace("-", "_")


def _parsed(response: object) -> QuestionnaireResponse:
    if isinstance(response, QuestionnaireResponse):
        return response
    if not isinstance(response, dict):
        raise InvalidInput("response", "must be a FHIR QuestionnaireResponse (a JSON object)")
    if response.get("resourceType") != "QuestionnaireResponse":
        raise InvalidInput("resourceType", "must be 'QuestionnaireResponse'")
    try:
        return QuestionnaireResponse.model_validate(response)
    except ValidationError as exc:
        err = field_error(exc)
        raise InvalidInput(err.field, err.message) from None


def _instrument(resource: QuestionnaireResponse) -> tuple[str, InstrumentDefinition[Any]]:
    canonical = resource.questionnaire
    instrument_id = questionnaire_id(canonical)
    if instrument_id not in INSTRUMENTS:
        allowed = ", ".join(codes.questionnaire_url(i) for i in sorted(INSTRUMENTS))
        raise InvalidInput(
            "questionnaire", f"must be one of BackPath's instruments ({allowed}), got {canonical!r}"
        )
    definition = INSTRUMENTS[instrument_id].definition()
    _, bar, version = (canonical or "").partition("|")
    expected = codes.questionnaire_version(definition.version)
    if bar and version != expected:
        raise InvalidInput(
            "questionnaire",
            f"version {version!r} is not the version BackPath scores ({expected!r})",
        )
    return instrument_id, definition


def _answers_by_link_id(
    items: list[QuestionnaireResponseItem], instrument_id: str, known: tuple[str, ...]
) -> dict[str, QuestionnaireResponseItemAnswer]:
    found: dict[str, QuestionnaireResponseItemAnswer] = {}
    for index, item in enumerate(items):
        link_id = item.linkId or ""
        if link_id not in known:
            raise InvalidInput(
                f"item[{index}].linkId",
                f"{link_id!r} is not an item of {instrument_id}; allowed: {', '.join(known)}",
            )
        field = f"{instrument_id}.{link_id}"
        if link_id in found:
            raise InvalidInput(field, "answered twice; give one item per linkId")
        answers = item.answer or []
        if len(answers) > 1:
            raise InvalidInput(field, f"must have one answer, got {len(answers)}")
        if answers:
            found[link_id] = answers[0]
    return found


def _option_value(
    answer: QuestionnaireResponseItemAnswer | None, item: Item, field: str, system: str
) -> int | None:
    if answer is None:
        return None
    coding = answer.valueCoding
    codes_allowed = {str(o.value): o.value for o in item.options}
    if coding is None or coding.system != system or coding.code not in codes_allowed:
        given = f"{coding.system}|{coding.code}" if coding is not None else "no valueCoding"
        raise InvalidInput(
            field,
            f"must be a valueCoding from {system} with code {allowed_values(item)}, got {given}",
        )
    return codes_allowed[coding.code]


def answers_from_response(response: object) -> tuple[str, Answers]:
    """The instrument id and the answers ``backpath.instruments.score`` takes, read from a
    QuestionnaireResponse (JSON dict or ``fhir.resources`` model).

    Raises ``InvalidInput`` for a resource that is not a valid FHIR QuestionnaireResponse,
    a ``questionnaire`` that is not one of BackPath's instruments (or of another version),
    an unknown or repeated linkId, an answer that is not allowed, or a required item left
    unanswered; item problems name ``<instrument>.<linkId>``.
    """
    resource = _parsed(response)
    if resource.status == "entered-in-error":
        raise InvalidInput("status", "is 'entered-in-error'; such a response is not scored")
    instrument_id, definition = _instrument(resource)
    found = _answers_by_link_id(resource.item or [], instrument_id, definition.item_ids())
    if instrument_id == "red_flags":
        flags: dict[str, bool] = {}
        for link_id, answer in found.items():
            if answer.valueBoolean is None:
                raise InvalidInput(f"red_flags.{link_id}", "must be a valueBoolean (true/false)")
            flags[link_id] = bool(answer.valueBoolean)
        return instrument_id, flags
    system = codes.answer_system(instrument_id)
    values: list[int | None] = []
    for item in definition.items:
        field = f"{instrument_id}.{item.id}"
        value = _option_value(found.get(item.id), item, field, system)
        if value is None and instrument_id not in _OPTIONAL_ITEMS:
            raise InvalidInput(field, f"no answer; must be {allowed_values(item)}")
        values.append(value)
    if instrument_id == "nrs" and values[0] is not None:
        return instrument_id, values[0]
    return instrument_id, values


def score_response(response: object) -> InstrumentResult:
    """Score a QuestionnaireResponse with its instrument; raises ``InvalidInput`` as
    ``answers_from_response`` does."""
    instrument_id, answers = answers_from_response(response)
    return score(instrument_id, answers)
