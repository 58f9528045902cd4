"""The clinic's intake, the public self-check and the FHIR Questionnaires ask the same
question in the same words: read from the forms as built and the Questionnaire as exported,
not from the data they share."""

from __future__ import annotations

import pytest

from backpath import contract
from backpath.interop.fhir_parts import instrument_questionnaire
from backpath.web.patients.intake_forms import (
    EpisodeForm,
    PreferencesForm,
    QuestionnaireForm,
    RedFlagsForm,
)
from backpath.web.selfcheck.forms import BasicsForm, SelfCheckFlagsForm


def _questions(form: object) -> dict[str, str]:
    return {name: str(field.label) for name, field in form.fields.items()}  # type: ignore[attr-defined]


def test_the_red_flag_questions_are_worded_alike_in_the_intake_the_self_check_and_fhir() -> None:
    fhir = {item.linkId: item.text for item in instrument_questionnaire("red_flags").item}
    intake, selfcheck = _questions(RedFlagsForm()), _questions(SelfCheckFlagsForm())
    assert set(fhir) == set(contract.red_flag_ids())
    assert intake.pop("none") == selfcheck.pop("none") == RedFlagsForm.NONE_LABEL
    assert intake == selfcheck == fhir


@pytest.mark.parametrize("name", ["leg_pain"])
def test_a_question_both_ask_is_worded_alike_with_the_same_choices(name: str) -> None:
    clinic, public = EpisodeForm().fields[name], BasicsForm().fields[name]
    assert str(clinic.label) == str(public.label)
    assert list(clinic.choices) == list(public.choices)  # type: ignore[attr-defined]


def test_both_offer_the_same_kinds_of_care_to_avoid_every_value_the_contract_allows() -> None:
    clinic = list(PreferencesForm().fields["avoid"].choices)  # type: ignore[attr-defined]
    public = list(BasicsForm().fields["avoid"].choices)  # type: ignore[attr-defined]
    assert clinic == public
    avoid = contract.schema("intake")["properties"]["preferences"]["properties"]["avoid"]
    assert [value for value, _ in clinic] == avoid["items"]["enum"]
    assert all(words.strip() for _, words in clinic)


@pytest.mark.parametrize("instrument", ["startback", "odi", "rmdq", "peg"])
def test_questionnaire_items_are_the_fhir_questionnaires_items(instrument: str) -> None:
    fhir = [item.text for item in instrument_questionnaire(instrument).item]
    form = QuestionnaireForm(instrument=instrument)
    asked = [str(form.fields[name].label) for name in form.names]
    assert asked == [f"{i + 1}. {text}" for i, text in enumerate(fhir)]
