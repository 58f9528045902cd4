"""Scoring QuestionnaireResponses to BackPath's exported Questionnaires: answered in code here,
in LHC-Forms in tests/browser/test_lforms.py."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from backpath.errors import InvalidInput
from backpath.instruments import INSTRUMENTS, score
from backpath.interop import codes, intake_from_bundle
from backpath.interop.fhir_parts import instrument_questionnaire
from backpath.interop.questionnaire_scoring import (
    answers_from_response,
    questionnaire_id,
    score_response,
)

QUESTIONNAIRE_ITEM_CHOICES = ("nrs", "startback", "odi", "peg", "rmdq")


def _answered(instrument_id: str, pick: int) -> tuple[dict[str, Any], Any]:
    """A response choosing option ``(pick + n) % len`` of item n from the exported
    Questionnaire, and the answers the instrument module expects for the same choices."""
    questionnaire = instrument_questionnaire(instrument_id).model_dump(mode="json")
    definition = INSTRUMENTS[instrument_id].definition()
    items, expected = [], []
    for n, (q_item, item) in enumerate(zip(questionnaire["item"], definition.items, strict=True)):
        index = (pick + n) % len(item.options)
        coding = q_item["answerOption"][index]["valueCoding"]
        items.append({"linkId": q_item["linkId"], "answer": [{"valueCoding": coding}]})
        expected.append(item.options[index].value)
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire["url"],
        "item": items,
    }
    return response, expected[0] if instrument_id == "nrs" else expected


def _startback(**changes: Any) -> dict[str, Any]:
    response, _ = _answered("startback", 0)
    response.update(changes)
    return response


@pytest.mark.parametrize("instrument_id", QUESTIONNAIRE_ITEM_CHOICES)
@pytest.mark.parametrize("pick", [0, 1, 3])
def test_a_response_to_each_exported_questionnaire_scores_as_the_instrument(
    instrument_id: str, pick: int
) -> None:
    response, expected = _answered(instrument_id, pick)
    QuestionnaireResponse.model_validate(response)
    assert answers_from_response(response) == (instrument_id, expected)
    assert score_response(response) == score(instrument_id, expected)


def test_a_red_flag_response_scores_as_the_screen() -> None:
    questionnaire = instrument_questionnaire("red_flags").model_dump(mode="json")
    first, second, *rest = (item["linkId"] for item in questionnaire["item"])
    answers = {first: True, second: False, rest[-1]: True}
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire["url"],
        "item": [{"linkId": k, "answer": [{"valueBoolean": v}]} for k, v in answers.items()],
    }
    assert answers_from_response(response) == ("red_flags", answers)
    result = score_response(response)
    assert result == score("red_flags", answers)
    assert result.model_dump()["flags_present"] == (first, rest[-1])


def test_a_model_and_a_versioned_canonical_are_accepted() -> None:
    response = _startback(questionnaire=_startback()["questionnaire"] + "|9-item")
    model = QuestionnaireResponse.model_validate(response)
    assert answers_from_response(model) == answers_from_response(_startback())


def test_an_unanswered_required_item_is_named_by_its_link_id() -> None:
    response = _startback()
    del response["item"][2]["answer"]
    with pytest.raises(InvalidInput) as error:
        answers_from_response(response)
    assert error.value.field == "startback.short_walks"
    assert "no answer" in error.value.message and "0 (disagree) or 1 (agree)" in error.value.message


def test_a_code_that_is_not_an_option_is_named_by_its_link_id() -> None:
    response = _startback()
    response["item"][8]["answer"][0]["valueCoding"]["code"] = "5"
    with pytest.raises(InvalidInput) as error:
        answers_from_response(response)
    assert error.value.field == "startback.bothersomeness"
    assert "an integer from 0 to 4" in error.value.message


def test_a_code_from_another_system_is_rejected() -> None:
    response = _startback()
    response["item"][0]["answer"] = [{"valueCoding": {"system": "http://loinc.org", "code": "1"}}]
    with pytest.raises(InvalidInput, match=r"startback\.leg_pain: must be a valueCoding from"):
        answers_from_response(response)


def test_an_odi_section_may_be_left_blank() -> None:
    response, expected = _answered("odi", 2)
    response["item"].pop(4)
    expected[4] = None
    assert answers_from_response(response) == ("odi", expected)
    result = score_response(response).model_dump()
    assert result["unanswered"] == ("sitting",) and result["answered"] == 9


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"item": [{"linkId": "nope", "answer": [{"valueInteger": 1}]}]}, "item[0].linkId", "nope"),
        ({"questionnaire": codes.questionnaire_url("intake_details")},
         "questionnaire", "must be one of BackPath's instruments"),
        ({"questionnaire": None}, "questionnaire", "got None"),
        ({"questionnaire": codes.questionnaire_url("startback") + "|8-item"},
         "questionnaire", "version '8-item'"),
        ({"status": "entered-in-error"}, "status", "not scored"),
        ({"status": None}, "status", "required"),
        ({"authored": "yesterday"}, "authored", "does not match"),
        ({"resourceType": "Questionnaire"}, "resourceType", "QuestionnaireResponse"),
    ],
)  # fmt: skip
def test_a_bad_response_names_the_field(change: dict[str, Any], field: str, words: str) -> None:
    response = {k: v for k, v in _startback(**change).items() if v is not None}
    with pytest.raises(InvalidInput) as error:
        answers_from_response(response)
    assert error.value.field == field
    assert words in error.value.message


def test_a_repeated_link_id_or_two_answers_are_rejected() -> None:
    twice = _startback()
    twice["item"].append(twice["item"][0])
    with pytest.raises(InvalidInput, match=r"startback\.leg_pain: answered twice"):
        answers_from_response(twice)
    two = _startback()
    two["item"][1]["answer"] *= 2
    with pytest.raises(InvalidInput, match=r"startback\.neck_shoulder_pain: must have one answer"):
        answers_from_response(two)


def test_a_red_flag_must_be_a_boolean() -> None:
    questionnaire = instrument_questionnaire("red_flags")
    link_id = questionnaire.item[0].linkId
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire.url,
        "item": [{"linkId": link_id, "answer": [{"valueString": "yes"}]}],
    }
    with pytest.raises(InvalidInput) as error:
        answers_from_response(response)
    assert error.value.field == f"red_flags.{link_id}"


def test_something_other_than_a_json_object_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="response: must be a FHIR QuestionnaireResponse"):
        answers_from_response(["not", "a", "resource"])


def test_questionnaire_ids_come_from_backpath_canonicals_only() -> None:
    base = codes.questionnaire_url("")
    assert questionnaire_id(base + "red-flags|1") == "red_flags"
    assert questionnaire_id(base + "intake-details") == "intake_details"
    assert questionnaire_id("http://example.org/Questionnaire/startback") is None
    assert questionnaire_id(base) is None
    assert questionnaire_id(None) is None


def test_the_bundle_import_reads_a_response_with_a_versioned_canonical() -> None:
    response, expected = _answered("startback", 1)
    response["questionnaire"] += "|9-item"
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": response}]}
    assert intake_from_bundle(bundle)["questionnaires"]["startback"] == expected


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_each_questionnaire_version_can_follow_a_bar_in_a_canonical(instrument_id: str) -> None:
    """FHIR canonicals allow no whitespace, and LHC-Forms answers with ``url|version``."""
    questionnaire = instrument_questionnaire(instrument_id)
    assert questionnaire.version and not any(c.isspace() for c in questionnaire.version)
    assert questionnaire_id(f"{questionnaire.url}|{questionnaire.version}") == instrument_id


def test_a_version_with_the_instruments_edition_text_is_named_as_not_ours() -> None:
    response, _ = _answered("peg", 0)
    response["questionnaire"] += "|3-item (2009)"
    with pytest.raises(InvalidInput, match="3-item-2009"):
        answers_from_response(response)
