"""A real FHIR client: LHC-Forms (npm ``lforms``) renders every Questionnaire BackPath exports,
and a response filled in it through the page scores as the instrument module scores the same
answers. The rendered STarT Back form is saved as artifacts/screenshots/lforms-startback.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from playwright.sync_api import expect

from backpath.instruments import INSTRUMENTS, score
from backpath.interop import intake_from_bundle
from backpath.interop.fhir_parts import details_questionnaire, instrument_questionnaire
from backpath.interop.questionnaire_scoring import answers_from_response, score_response
from tests.browser import lforms
from tests.browser.conftest import TIMEOUT_MS, shot

EXPORTED = ("nrs", "startback", "odi", "peg", "rmdq", "red_flags", "intake_details")


def _questionnaire(name: str) -> dict[str, Any]:
    model = details_questionnaire() if name == "intake_details" else instrument_questionnaire(name)
    data: dict[str, Any] = model.model_dump(mode="json")
    return data


@pytest.fixture
def form_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[str]]]:
    """A tab with LHC-Forms loaded, and the list of console and page errors it collects."""
    if missing := lforms.missing_files():
        message = f"lforms is not installed ({', '.join(missing)}); run `make test`"
        if os.environ.get("BACKPATH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = lforms.open_lforms(page)
    yield page, errors
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(page, "failed-" + re.sub(r"[^\w.-]+", "_", request.node.name))
    context.close()


def _fill(page: Any, instrument_id: str, answers: Any) -> None:
    """Click the radio button of each answer (None leaves the item blank)."""
    items = INSTRUMENTS[instrument_id].definition().items
    if instrument_id == "red_flags":
        for item in items:
            if item.id in answers:
                lforms.choose(page, item.label, "Yes" if answers[item.id] else "No")
        return
    for item, value in zip(items, answers, strict=True):
        if value is not None:
            lforms.choose(page, item.label, item.options_by_value[value].label)


@pytest.mark.parametrize("name", EXPORTED)
def test_each_exported_questionnaire_renders_in_lhc_forms(
    form_page: tuple[Any, list[str]], name: str
) -> None:
    page, errors = form_page
    questionnaire = _questionnaire(name)
    lforms.render(page, questionnaire)
    form = page.locator("#form wc-lhc-form form")
    expect(form.get_by_role("heading", name=questionnaire["title"])).to_be_visible()
    for item in questionnaire["item"]:
        expect(form.locator(".question", has_text=item["text"]).first).to_be_visible()
    if name not in ("red_flags", "intake_details"):
        first = questionnaire["item"][0]
        group = page.get_by_role("radiogroup", name=first["text"])
        labels = [o["valueCoding"]["display"] for o in first["answerOption"]]
        expect(group.get_by_role("radio")).to_have_count(len(labels))
    assert errors == []


STARTBACK = [1, 0, 1, 1, 1, 1, 0, 1, 3]
"""Not all alike: five agreements in items 1-8 and 'very much' bothered (3) in item 9."""


def test_startback_filled_in_lhc_forms_scores_as_the_instrument(
    form_page: tuple[Any, list[str]],
) -> None:
    page, errors = form_page
    lforms.render(page, _questionnaire("startback"))
    _fill(page, "startback", STARTBACK)
    shot(page, "lforms-startback")
    response = lforms.response(page)
    QuestionnaireResponse.model_validate(response)
    assert response["status"] == "completed"
    assert answers_from_response(response) == ("startback", STARTBACK)
    result = score_response(response)
    assert result == score("startback", STARTBACK)
    assert result.model_dump(include={"total", "psychosocial", "group"}) == {
        "total": 7,
        "psychosocial": 4,
        "group": "high",
    }
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": response}]}
    assert intake_from_bundle(bundle)["questionnaires"]["startback"] == STARTBACK
    assert errors == []


@pytest.mark.parametrize(
    ("instrument_id", "answers"),
    [
        ("odi", [2, 1, 3, None, 0, 2, 1, 4, 0, 5]),
        ("peg", [7, 10, 0]),
        ("red_flags", {"saddle_anaesthesia": False, "fever_or_systemic_illness": True}),
    ],
)
def test_other_instruments_filled_in_lhc_forms_score_as_the_instrument(
    form_page: tuple[Any, list[str]], instrument_id: str, answers: Any
) -> None:
    page, errors = form_page
    lforms.render(page, _questionnaire(instrument_id))
    _fill(page, instrument_id, answers)
    response = lforms.response(page)
    QuestionnaireResponse.model_validate(response)
    assert answers_from_response(response) == (instrument_id, answers)
    assert score_response(response) == score(instrument_id, answers)
    assert errors == []
