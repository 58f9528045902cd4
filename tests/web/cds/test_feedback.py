"""``POST /cds-services/backpath-patient-view/feedback``: the EHR (playing with its own keys)
says what its user did with BackPath's cards; BackPath checks and stores it for the clinic, and
the lead sees it. Bad feedback is a 400 naming the field, and nothing is stored."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.web.accounts.models import Clinic, User
from backpath.web.api.models import ApiToken
from backpath.web.audit.models import AuditEvent
from backpath.web.cds.models import CardFeedback, IssuedCard
from backpath.web.ehrs.models import EhrRegistration
from tests.web.builders import logged_in, make_user
from tests.web.ehr_double import FEEDBACK, SERVICE, Ehr, bearer, null_or_empty

EXAMPLE = Path(__file__).parents[2] / "interop" / "cds_examples" / "request_full.json"
PAGE = "/ehrs/feedback/"


def post(path: str, body: Any, auth: dict[str, str]) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(path, data, content_type="application/json", **auth)


@pytest.fixture
def registered(ehr: Ehr, clinic: Clinic) -> EhrRegistration:
    return ehr.register(clinic, name="Epic at Harbour")


@pytest.fixture
def cards(ehr: Ehr, registered: EhrRegistration) -> list[dict[str, Any]]:
    """The cards the EHR was sent for the example patient (a warning and an info card)."""
    response = post(SERVICE, EXAMPLE.read_text("utf-8"), bearer(ehr.jwt()))
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()["cards"]
    return found


def overridden(card: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"card": card["uuid"], "outcome": "overridden",
            "outcomeTimestamp": "2026-03-02T10:15:00Z"} | extra  # fmt: skip


def send(ehr: Ehr, body: Any) -> Any:
    return post(FEEDBACK, body, bearer(ehr.jwt(FEEDBACK)))


def test_every_card_sent_carries_a_uuid_and_is_kept_for_feedback(
    cards: list[dict[str, Any]], registered: EhrRegistration
) -> None:
    kept = {str(c.uuid): c for c in IssuedCard.objects.all()}
    assert set(kept) == {card["uuid"] for card in cards}
    warning = kept[cards[0]["uuid"]]
    assert (warning.indicator, warning.summary, warning.registration) == (
        "warning", cards[0]["summary"], registered,
    )  # fmt: skip
    assert warning.hook_instance == "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"


def test_feedback_is_stored_audited_and_shown_to_the_lead(
    ehr: Ehr, cards: list[dict[str, Any]], lead: User
) -> None:
    reason = {"reason": {"system": "https://ehr.example/override", "code": "pt-declined",
                         "display": "Patient declined"},
              "userComment": "Discussed; will review at the next visit."}  # fmt: skip
    accepted = {"card": cards[1]["uuid"], "outcome": "accepted",
                "acceptedSuggestions": [{"id": "7f1c0a8e-2d3b-4c5d-9e6f-0a1b2c3d4e5f"}],
                "outcomeTimestamp": "2026-03-02T10:16:00"}  # fmt: skip
    refused = send(ehr, {"feedback": [overridden(cards[0], overrideReason=reason), accepted]})
    assert refused.status_code == 400 and refused.json()["field"] == (
        "feedback[1].acceptedSuggestions"
    )
    assert "carry no suggestions" in refused.json()["detail"]
    assert not CardFeedback.objects.exists()  # all or nothing
    second_card = overridden(cards[1], outcomeTimestamp="2026-03-02T10:16:00")
    response = send(ehr, {"feedback": [overridden(cards[0], overrideReason=reason), second_card]})
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 2}
    first, second = CardFeedback.objects.order_by("id")
    assert (first.outcome, first.reason_code, first.reason_display) == (
        "overridden", "pt-declined", "Patient declined",
    )  # fmt: skip
    assert first.card.summary == cards[0]["summary"] and first.caller == "ehr:Epic at Harbour"
    assert second.accepted_suggestions == []
    assert second.outcome_at.isoformat() == "2026-03-02T10:16:00+00:00"
    assert AuditEvent.objects.filter(action="cds.feedback", detail__contains="stored=2").exists()
    page = logged_in(lead).get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    for words in (
        escape(cards[0]["summary"]),
        "Overridden",
        "Patient declined",
        "Discussed; will",
        "Epic at Harbour",
        "2 Mar 2026 10:15",
        "does not replace",
    ):
        assert words in text, words


def test_the_same_card_may_be_reported_twice(ehr: Ehr, cards: list[dict[str, Any]]) -> None:
    assert send(ehr, {"feedback": [overridden(cards[0])]}).status_code == 200
    assert send(ehr, {"feedback": [overridden(cards[0])]}).status_code == 200
    assert CardFeedback.objects.count() == 2


def test_a_clinic_user_token_may_send_feedback_too(
    cards: list[dict[str, Any]], clinician: User
) -> None:
    key = ApiToken.issue(clinician, scope="cds")[1]
    response = post(FEEDBACK, {"feedback": [overridden(cards[0])]}, bearer(key))
    assert response.status_code == 200
    assert CardFeedback.objects.get().user == clinician


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("[1]", "body", "JSON object"),
        ("{", "body", "JSON"),
        ({}, "feedback", "required"),
        ({"feedback": []}, "feedback", "at least 1"),
        (
            {"feedback": [{"outcome": "overridden", "outcomeTimestamp": "2026-03-02T10:15:00Z"}]},
            "feedback[0].card",
            "required",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "card-1",
                        "outcome": "overridden",
                        "outcomeTimestamp": "2026-03-02T10:15:00Z",
                    }
                ]
            },
            "feedback[0].card",
            "UUID",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "{uuid}",
                        "outcome": "ignored",
                        "outcomeTimestamp": "2026-03-02T10:15:00Z",
                    }
                ]
            },
            "feedback[0].outcome",
            "accepted",
        ),
        (
            {"feedback": [{"card": "{uuid}", "outcome": "overridden"}]},
            "feedback[0].outcomeTimestamp",
            "required",
        ),
        (
            {"feedback": [{"card": "{uuid}", "outcome": "overridden", "outcomeTimestamp": "soon"}]},
            "feedback[0].outcomeTimestamp",
            "datetime",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "{uuid}",
                        "outcome": "accepted",
                        "outcomeTimestamp": "2026-03-02T10:15:00Z",
                    }
                ]
            },
            "feedback[0].acceptedSuggestions",
            "required for outcome 'accepted'",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "{uuid}",
                        "outcome": "overridden",
                        "overrideReason": {},
                        "outcomeTimestamp": "2026-03-02T10:15:00Z",
                    }
                ]
            },
            "feedback[0].overrideReason",
            "reason or userComment",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "{uuid}",
                        "outcome": "overridden",
                        "overrideReason": {"reason": {"system": "https://x.example"}},
                        "outcomeTimestamp": "2026-03-02T10:15:00Z",
                    }
                ]
            },
            "feedback[0].overrideReason.reason.code",
            "required",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "00000000-0000-4000-8000-000000000000",
                        "outcome": "overridden",
                        "outcomeTimestamp": "2026-03-02T10:15:00Z",
                    }
                ]
            },
            "feedback[0].card",
            "not the uuid of a card BackPath sent",
        ),
    ],
    ids=[
        "not an object",
        "not JSON",
        "no feedback",
        "empty feedback",
        "no card",
        "card not a uuid",
        "unknown outcome",
        "no timestamp",
        "bad timestamp",
        "accepted without suggestions",
        "empty reason",
        "reason without code",
        "card never sent",
    ],
)
def test_bad_feedback_is_400_naming_the_field(
    ehr: Ehr, cards: list[dict[str, Any]], body: Any, field: str, words: str
) -> None:
    text = body if isinstance(body, str) else json.dumps(body).replace("{uuid}", cards[0]["uuid"])
    response = send(ehr, text)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["field"] == field and words in answer["detail"], answer
    assert not CardFeedback.objects.exists()


def test_one_bad_item_stores_none_of_the_request(ehr: Ehr, cards: list[dict[str, Any]]) -> None:
    unknown = overridden({"uuid": "00000000-0000-4000-8000-000000000000"})
    response = send(ehr, {"feedback": [overridden(cards[0]), unknown]})
    assert response.status_code == 400 and response.json()["field"] == "feedback[1].card"
    assert not CardFeedback.objects.exists()


def test_another_clinics_card_looks_unknown(
    ehr: Ehr, cards: list[dict[str, Any]], other_clinic: Clinic
) -> None:
    theirs = Ehr(iss="https://hillside-ehr.example")
    theirs.register(other_clinic)
    response = post(FEEDBACK, {"feedback": [overridden(cards[0])]},
                    bearer(theirs.jwt(FEEDBACK)))  # fmt: skip
    assert response.status_code == 400
    assert response.json()["field"] == "feedback[0].card"


def test_feedback_needs_the_callers_credentials(cards: list[dict[str, Any]]) -> None:
    response = post(FEEDBACK, {"feedback": [overridden(cards[0])]}, {})
    assert response.status_code == 401 and response.json()["field"] == "Authorization"
    assert not CardFeedback.objects.exists()


def test_the_feedback_page_is_for_the_lead_and_their_clinic_only(
    ehr: Ehr, cards: list[dict[str, Any]], clinician: User, other_clinic: Clinic
) -> None:
    assert send(ehr, {"feedback": [overridden(cards[0])]}).status_code == 200
    assert logged_in(clinician).get(PAGE).status_code == 403
    other_lead = make_user("hillside-lead", "lead", other_clinic)
    page = logged_in(other_lead).get(PAGE).content.decode()
    assert escape(cards[0]["summary"]) not in page and "No feedback has arrived yet" in page


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
ITEM = st.fixed_dictionaries(
    {},
    optional={
        "card": st.uuids().map(str) | JSON,
        "outcome": st.sampled_from(["accepted", "overridden"]) | JSON,
        "acceptedSuggestions": st.lists(st.fixed_dictionaries({"id": JSON}), max_size=2) | JSON,
        "overrideReason": st.fixed_dictionaries({}, optional={"reason": JSON, "userComment": JSON})
        | JSON,
        "outcomeTimestamp": st.sampled_from(["2026-03-02T10:15:00Z", "x"]) | JSON,
    },
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.fixed_dictionaries({"feedback": st.lists(ITEM, max_size=3) | JSON}) | JSON)
def test_no_feedback_body_gives_a_server_error(clinician: User, body: Any) -> None:
    key = ApiToken.issue(clinician, scope="cds")[1]
    response = post(FEEDBACK, json.dumps(body), bearer(key))
    assert response.status_code == 400
    assert null_or_empty(response.json()) == []
