"""CDS Hooks service without the web: request checks, prefetch, fetching and the card rules."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from backpath import DISCLAIMER
from backpath.engine import assess_and_plan
from backpath.errors import InvalidInput, KnowledgeBaseError
from backpath.interop import cds_hooks, codes, intake_from_bundle
from backpath.interop.cds_codes import cds_codes, find, parse_codes
from backpath.interop.cds_prefetch import (
    PREFETCH,
    REQUIRED,
    FetchError,
    PrefetchUnavailable,
    fetch_json,
    query_url,
)
from backpath.knowledge import load_knowledge
from tests.interop.cds_requests import TODAY, cards, example, request, searchset

GOLDEN = Path(__file__).parent / "golden" / "chronic_bundle.json"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
ACTIVE = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
    ]
}


def condition(system: str, code: str, display: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": ACTIVE,
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "subject": {"reference": "Patient/1288992"},
        **extra,
    }


def medicine(code: str, name: str, kind: str = "MedicationRequest") -> dict[str, Any]:
    resource = {
        "resourceType": kind,
        "status": "active",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": name}],
            "text": name,
        },
        "subject": {"reference": "Patient/1288992"},
    }
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    return resource


def observation(code: str, **value: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": "Patient/1288992"},
        "effectiveDateTime": "2026-01-04T10:00:00Z",
        **value,
    }


def by_indicator(found: list[dict[str, Any]], indicator: str) -> list[dict[str, Any]]:
    return [card for card in found if card["indicator"] == indicator]


# --- discovery ---------------------------------------------------------------------------


def test_discovery_offers_one_patient_view_service_with_spec_prefetch_tokens() -> None:
    (service,) = cds_hooks.discovery()["services"]
    assert service["hook"] == "patient-view"
    assert service["id"] == "backpath-patient-view"
    assert DISCLAIMER in service["description"]
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    for key in REQUIRED:
        assert "{{context.patientId}}" in service["prefetch"][key]
    assert "72514-3" in service["prefetch"]["observations"]
    assert "91352-5" in service["prefetch"]["observations"]
    assert "_sort=-date" in service["prefetch"]["observations"]
    assert "JWT" in service["usageRequirements"]


def test_prefetch_template_becomes_a_quoted_url_on_the_fhir_server() -> None:
    call = cds_hooks.parse_request(json.dumps(example("request_full")))
    url = query_url("https://ehr.example/fhir/", PREFETCH["observations"], call.context)
    assert url.startswith("https://ehr.example/fhir/Observation?patient=1288992&code=")
    assert "http://loinc.org%7C72514-3" in url
    assert "{{" not in url


# --- request checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"hook": "order-sign"}, "hook", "patient-view"),
        ({"hookInstance": None}, "hookInstance", ""),
        ({"context": {"userId": "Practitioner/example"}}, "context.patientId", "required"),
        ({"context": {"userId": "P/1", "patientId": "a b"}}, "context.patientId", "pattern"),
        ({"fhirServer": None}, "body", "fhirServer"),
        ({"prefetch": []}, "prefetch", "dictionary"),
    ],
)
def test_a_bad_request_names_the_field_and_what_is_allowed(
    change: dict[str, Any], field: str, words: str
) -> None:
    data = example("request_full")
    data.update(change)
    data = {key: value for key, value in data.items() if value is not None}
    with pytest.raises(InvalidInput) as caught:
        cds_hooks.parse_request(json.dumps(data))
    assert caught.value.field == field
    assert words in caught.value.message


def test_malformed_json_is_invalid_input_on_the_body() -> None:
    with pytest.raises(InvalidInput) as caught:
        cds_hooks.parse_request(b'{"hook": "patient-view",')
    assert caught.value.field == "body"
    assert "JSON" in caught.value.message


def test_invalid_fhir_in_prefetch_names_the_resource_field() -> None:
    data = example("request_full")
    data["prefetch"]["patient"]["birthDate"] = "yesterday"
    with pytest.raises(InvalidInput) as caught:
        cards(data)
    assert caught.value.field == "prefetch.patient.birthDate"


def test_an_invalid_resource_inside_a_searchset_is_left_out_and_named_on_the_card() -> None:
    data = example("request_full")
    data["prefetch"]["conditions"]["entry"][0]["resource"]["onsetDateTime"] = "soon"
    call = cds_hooks.parse_request(json.dumps(data))
    gathered = cds_hooks.gather(call)
    (fault,) = gathered.unreadable
    assert fault.field == "prefetch.conditions.entry[0].resource.onsetDateTime"
    assert not gathered.of_type("Condition")
    info = by_indicator(cards(data), "info")[0]
    assert info["summary"].startswith("EHR data unreadable: conditions;")
    assert "its one resource could not be read: prefetch.conditions.entry\\[0\\]" in info["detail"]


def test_a_red_flag_survives_a_medicine_with_an_invalid_date_which_is_said() -> None:
    bad = medicine("197806", "Ibuprofen 600 MG Oral Tablet") | {"authoredOn": "last Tuesday"}
    data = request(
        conditions=searchset(condition(SNOMED, "192970008", "Cauda equina syndrome")),
        medications=searchset(medicine("855332", "Warfarin Sodium 5 MG Oral Tablet"), bad),
    )
    (critical,) = cards(data)
    assert critical["indicator"] == "critical"
    assert "Cauda equina syndrome" in critical["detail"]
    assert (
        "**1 of the EHR's medicine orders (MedicationRequest) could not be read** "
        "(prefetch.medications.entry\\[1\\].resource.authoredOn: "
    ) in critical["detail"]
    assert "the medicines in it were not checked for interactions." in critical["detail"]


def test_a_key_none_of_whose_resources_could_be_read_is_unknown() -> None:
    data = request(
        conditions=searchset(condition(SNOMED, "192970008", "Cauda equina syndrome")),
        medications=searchset(
            medicine("197806", "Ibuprofen") | {"status": "bad  code"},
            medicine("855332", "Warfarin") | {"subject": "Patient/1288992"},
        ),
    )
    gathered = cds_hooks.gather(cds_hooks.parse_request(json.dumps(data)))
    assert [u.field for u in gathered.unreadable] == [
        "prefetch.medications.entry[0].resource.status",
        "prefetch.medications.entry[1].resource.subject",
    ]
    assert gathered.unknown["medications"].startswith("none of its 2 resources could be read: ")
    detail = cards(data)[0]["detail"]
    assert "**Not checked: medicines (MedicationRequest) could not be read from the EHR" in detail
    assert "entry\\[1\\].resource.subject" in detail
    assert "of the EHR's medicine orders" not in detail  # said once, as unknown


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"status": "ended"}, "status", "not a MedicationRequest status of FHIR R4"),
        ({"intent": None}, "intent", "required"),
        ({"resourceType": "MedicationUsage"}, "resourceType", "not a FHIR R4 resource type"),
        ({"dosageInstruction": [{"sequence": "first"}]}, "dosageInstruction[0].sequence", ""),
    ],
)
def test_a_bad_code_a_missing_element_or_an_unknown_type_leaves_only_that_resource_out(
    change: dict[str, Any], field: str, words: str
) -> None:
    bad = {k: v for k, v in (medicine("197806", "Ibuprofen") | change).items() if v is not None}
    data = request(medications=searchset(medicine("855332", "Warfarin"), bad))
    gathered = cds_hooks.gather(cds_hooks.parse_request(json.dumps(data)))
    (fault,) = gathered.unreadable
    assert fault.field == f"prefetch.medications.entry[1].resource.{field}"
    assert words in fault.message
    assert [e.location for e in gathered.entries[1:]] == ["prefetch.medications.entry[0].resource"]
    assert "medications" not in gathered.unknown


def test_an_invalid_bundle_envelope_is_logged_and_its_entries_still_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    conditions = searchset(condition(SNOMED, "192970008", "Cauda equina syndrome"))
    del conditions["type"]  # required in R4
    with caplog.at_level("WARNING", logger="backpath.interop.cds_prefetch"):
        found = cards(request(conditions=conditions))
    assert found[0]["indicator"] == "critical"
    assert "Bundles that are not valid FHIR R4" in caplog.text
    assert "prefetch.conditions.type" in caplog.text


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ([], "prefetch.conditions"),
        ({"resourceType": "Bundle", "type": "searchset", "entry": {}}, "prefetch.conditions.entry"),
        (
            {"resourceType": "Bundle", "type": "searchset", "entry": [{}]},
            "prefetch.conditions.entry[0].resource",
        ),
        (
            {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": "x"}]},
            "prefetch.conditions.entry[0].resource",
        ),
    ],
)
def test_a_prefetch_value_of_the_wrong_shape_is_still_a_bad_request(value: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        cards(request(conditions=value))
    assert caught.value.field == field


def test_a_prefetched_patient_other_than_the_context_patient_is_refused() -> None:
    data = example("request_full")
    data["prefetch"]["patient"]["id"] = "someone-else"
    with pytest.raises(InvalidInput) as caught:
        cards(data)
    assert caught.value.field == "prefetch.patient.id"


# --- missing prefetch --------------------------------------------------------------------


def test_missing_required_prefetch_without_a_server_names_each_key_and_why() -> None:
    data = example("request_patient_only")
    del data["fhirServer"], data["fhirAuthorization"]
    with pytest.raises(PrefetchUnavailable) as caught:
        cards(data)
    assert set(caught.value.missing) == {"conditions", "observations", "medications"}
    assert "no fhirServer" in caught.value.missing["conditions"]


def test_a_null_patient_is_unavailable_because_the_patient_is_required() -> None:
    data = request()
    data["prefetch"]["patient"] = None
    with pytest.raises(PrefetchUnavailable) as caught:
        cards(data)
    assert list(caught.value.missing) == ["patient"]


def test_missing_prefetch_is_fetched_from_the_fhir_server_with_the_access_token() -> None:
    asked: list[tuple[str, str]] = []
    answers = {
        "Condition": searchset(condition(SNOMED, "192970008", "Cauda equina syndrome")),
        "Observation": searchset(),
    }

    def fetch(url: str, token: str) -> object:
        asked.append((url, token))
        kind = url.split("/")[-1].split("?")[0]
        return answers.get(kind, searchset())

    call = cds_hooks.parse_request(json.dumps(example("request_patient_only")))
    data = cds_hooks.gather(call, fetch=fetch)
    assert {token for _, token in asked} == {"some-opaque-fhir-access-token"}
    assert all(url.startswith("http://hooks.smarthealthit.org:9080/") for url, _ in asked)
    assert set(data.fetched) == set(PREFETCH) - {"patient"}
    response = cds_hooks.build_cards(data, today=TODAY).to_json()
    assert response["cards"][0]["indicator"] == "critical"


def test_a_fetch_failure_of_a_required_key_is_unavailable_with_the_reason() -> None:
    def fetch(url: str, token: str) -> object:
        raise FetchError("the FHIR server answered HTTP 503")

    call = cds_hooks.parse_request(json.dumps(example("request_patient_only")))
    with pytest.raises(PrefetchUnavailable) as caught:
        cds_hooks.gather(call, fetch=fetch)
    assert "HTTP 503" in caught.value.missing["medications"]


def test_an_invalid_resource_from_the_server_is_left_out_and_the_rest_read() -> None:
    def fetch(url: str, token: str) -> object:
        if "/Condition?" in url:
            red_flag = condition(SNOMED, "192970008", "Cauda equina syndrome")
            return searchset(red_flag, red_flag | {"recordedDate": "31/12/2025"})
        return searchset()

    call = cds_hooks.parse_request(json.dumps(example("request_patient_only")))
    gathered = cds_hooks.gather(call, fetch=fetch)
    assert [u.field for u in gathered.unreadable] == [
        "prefetch.conditions.entry[1].resource.recordedDate"
    ]
    critical = cds_hooks.build_cards(gathered, today=TODAY).to_json()["cards"][0]
    assert critical["indicator"] == "critical"
    assert "**1 of the EHR's conditions could not be read**" in critical["detail"]


def test_an_invalid_patient_from_the_server_is_still_unavailable() -> None:
    data = example("request_patient_only")
    del data["prefetch"]["patient"]
    call = cds_hooks.parse_request(json.dumps(data))

    def fetch(url: str, token: str) -> object:
        if "/Patient/" in url:
            return {"resourceType": "Patient", "id": "1288992", "birthDate": "soon"}
        return searchset()

    with pytest.raises(PrefetchUnavailable) as caught:
        cds_hooks.gather(call, fetch=fetch)
    assert list(caught.value.missing) == ["patient"]
    assert "prefetch.patient.birthDate" in caught.value.missing["patient"]


def test_a_badly_shaped_answer_from_the_server_makes_the_key_unavailable() -> None:
    def fetch(url: str, token: str) -> object:
        return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": 5}]}

    call = cds_hooks.parse_request(json.dumps(example("request_patient_only")))
    with pytest.raises(PrefetchUnavailable) as caught:
        cds_hooks.gather(call, fetch=fetch)
    assert "invalid FHIR" in caught.value.missing["conditions"]


class _FhirServer(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str | None, str | None]]] = []

    def do_GET(self) -> None:  # the name http.server calls
        _FhirServer.seen.append(
            (self.path, self.headers.get("Authorization"), self.headers.get("Accept"))
        )
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.end_headers()
            return
        status = 404 if self.path.startswith("/missing") else 200
        body = json.dumps(searchset()).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fhir_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FhirServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FhirServer.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_json_sends_the_bearer_token_and_asks_for_fhir_json(fhir_server: str) -> None:
    assert fetch_json(f"{fhir_server}/Condition?patient=1", "tok") == searchset()
    assert _FhirServer.seen == [("/Condition?patient=1", "Bearer tok", "application/fhir+json")]


def test_fetch_json_turns_http_errors_and_redirects_into_fetch_errors(fhir_server: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_json(f"{fhir_server}/missing", "tok")
    with pytest.raises(FetchError, match="HTTP 302"):
        fetch_json(f"{fhir_server}/moved", "tok")
    with pytest.raises(FetchError, match="could not be reached"):
        fetch_json("http://127.0.0.1:9/Patient/1", "tok")


# --- card rules --------------------------------------------------------------------------


def test_a_cauda_equina_condition_gives_an_emergency_card_and_no_plan() -> None:
    found = cards(example("request_red_flags"))
    assert [card["indicator"] for card in found] == ["critical"]
    (card,) = found
    assert card["summary"].startswith("Emergency: possible cauda equina syndrome")
    assert "192970008" in card["detail"]
    assert "ces_pathway" in card["detail"]
    assert "start now" not in card["detail"]


def test_a_resolved_red_flag_condition_raises_no_alarm() -> None:
    data = example("request_red_flags")
    entry = data["prefetch"]["conditions"]["entry"][0]["resource"]
    entry["clinicalStatus"]["coding"][0]["code"] = "resolved"
    assert by_indicator(cards(data), "critical") == []


def test_an_icd10_vertebral_fracture_subcode_is_an_urgent_referral() -> None:
    icd = "http://hl7.org/fhir/sid/icd-10-cm"
    data = request(conditions=searchset(condition(icd, "S32.010A", "Wedge fracture of L1")))
    (card,) = cards(data)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Urgent referral: possible spinal fracture")


def test_a_red_flag_screen_response_with_a_flag_gives_a_critical_card() -> None:
    golden = json.loads(GOLDEN.read_text("utf-8"))
    screen = next(
        e["resource"] for e in golden["entry"] if e["resource"]["id"] == "chronic-qr-red-flags"
    )
    screen = copy.deepcopy(screen)
    for item in screen["item"]:
        if item["linkId"] == "major_trauma":
            item["answer"] = [{"valueBoolean": True}]
    (card,) = cards(request(questionnaireResponses=searchset(screen)))
    assert card["indicator"] == "critical"
    assert "BackPath red-flag screen" in card["detail"]
    assert "serious injury" in card["detail"]


def test_an_nsaid_while_anticoagulated_gives_a_warning_with_the_kb_reason_and_sources() -> None:
    found = cards(example("request_full"))
    (warning,) = by_indicator(found, "warning")
    nsaid_rule = next(
        rule
        for rule in load_knowledge().treatment("nsaids").contraindications
        if rule.condition == "anticoagulant_therapy"
    )
    assert warning["summary"].startswith("Ibuprofen: interaction with 'Takes an anticoagulant'")
    assert nsaid_rule.reason in warning["detail"]
    for source in nsaid_rule.sources:
        assert source in warning["detail"]
    assert "Warfarin (RxNorm 11289)" in warning["detail"]


def test_an_nsaid_without_a_clashing_condition_gives_no_warning() -> None:
    data = request(medications=searchset(medicine("5640", "Ibuprofen")))
    assert by_indicator(cards(data), "warning") == []


def test_duloxetine_warns_with_an_ssri_but_not_on_its_own() -> None:
    alone = request(medications=searchset(medicine("72625", "Duloxetine")))
    assert by_indicator(cards(alone), "warning") == []
    both = request(
        medications=searchset(medicine("72625", "Duloxetine")),
        medicationStatements=searchset(medicine("36437", "Sertraline", "MedicationStatement")),
    )
    (warning,) = by_indicator(cards(both), "warning")
    assert "Takes serotonergic medication" in warning["summary"]


def test_startback_high_risk_observation_gives_an_info_card_with_its_meaning() -> None:
    data = request(observations=searchset(observation("91352-5", valueCodeableConcept={
        "coding": [{"system": LOINC, "code": "LA9193-9"}]})))  # fmt: skip
    (info,) = by_indicator(cards(data), "info")
    assert info["summary"].startswith("STarT Back high risk")
    assert cds_codes().startback_groups.high in info["detail"]
    assert "hill2008" in info["detail"]


@pytest.mark.parametrize(
    ("total", "distress", "group"), [(2, None, "low"), (6, 2, "medium"), (6, 4, "high")]
)
def test_startback_group_follows_from_total_and_distress_observations(
    total: int, distress: int | None, group: str
) -> None:
    found = [observation("91351-7", valueInteger=total)]
    if distress is not None:
        found.append(observation("91350-9", valueInteger=distress))
    (info,) = by_indicator(cards(request(observations=searchset(*found))), "info")
    assert info["summary"].startswith(f"STarT Back {group} risk")


def test_with_too_little_data_the_info_card_says_what_is_missing() -> None:
    (info,) = cards(request())
    assert info["summary"].startswith("STarT Back not recorded; BackPath plan needs")
    assert "episode.duration_weeks" in info["detail"]
    assert "medicationStatements" in info["detail"]


def test_exported_backpath_bundle_as_prefetch_gives_the_plan_summary() -> None:
    golden = json.loads(GOLDEN.read_text("utf-8"))
    data = bundle_request()
    (info,) = cards(data)
    plan = assess_and_plan(intake_from_bundle(golden, as_of=TODAY))
    first_line = [item.name for item in plan.recommended if item.line == 1]
    assert (
        info["summary"]
        == f"STarT Back high risk; BackPath plan: {len(first_line)} items to start now"
    )
    for name in first_line:
        assert f"- {name}" in info["detail"]


def test_an_unreadable_backpath_questionnaire_is_reported_in_the_card_not_failed() -> None:
    odd = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": codes.questionnaire_url("intake_details"),
        "item": [{"linkId": "shoe_size", "answer": [{"valueInteger": 9}]}],
    }
    (info,) = cards(request(questionnaireResponses=searchset(odd)))
    assert "prefetch.questionnaireResponses.entry[0].resource.item[0].linkId" in info["detail"]
    assert "unknown 'shoe_size'" in info["detail"]


def test_every_card_is_short_sourced_from_backpath_and_ends_with_the_disclaimer() -> None:
    found = cards(example("request_full")) + cards(example("request_red_flags"))
    assert {card["indicator"] for card in found} == {"critical", "warning", "info"}
    for card in found:
        assert len(card["summary"]) < 140
        assert card["source"]["label"] == "BackPath"
        assert card["detail"].endswith(f"*{DISCLAIMER}*")
        assert card["uuid"]


def test_cards_come_most_urgent_first() -> None:
    data = example("request_red_flags")
    data["prefetch"]["medications"] = example("request_full")["prefetch"]["medications"]
    assert [card["indicator"] for card in cards(data)] == ["critical", "warning"]


def test_medicine_text_from_the_ehr_cannot_inject_markdown_links() -> None:
    data = request(
        medications=searchset(medicine("5640", "[click](http://evil.example)"),
                              medicine("11289", "Warfarin"))
    )  # fmt: skip
    (warning,) = by_indicator(cards(data), "warning")
    assert "[click](http://evil.example)" not in warning["detail"]


# --- code tables -------------------------------------------------------------------------


def test_icd10_prefix_rows_match_their_subcodes_written_with_or_without_the_dot() -> None:
    table = cds_codes()
    icd = "http://hl7.org/fhir/sid/icd-10-cm"
    for code in ("S32.010A", "S32010A", "G83.4"):
        assert find(table, table.serious_conditions, [(icd, code)])
    assert not find(table, table.serious_conditions, [(icd, "S33.5")])


def test_every_code_row_says_where_it_was_verified_or_that_it_is_to_confirm() -> None:
    rows = cds_codes().serious_conditions
    assert all(row.verified == "to confirm" or "(" in row.verified for row in rows)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("suspect", "no_such_suspect", "no rule for 'no_such_suspect'"),
        ("system", "icd9", "unknown system 'icd9'"),
        ("code", "S32.0.1", "not a code of http://hl7.org/fhir/sid/icd-10-cm"),
    ],
)
def test_code_tables_with_an_unknown_suspect_system_or_code_are_refused_naming_the_field(
    field: str, value: str, words: str
) -> None:
    data = cds_codes().model_dump()
    data["serious_conditions"][10][field] = value
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_codes(data)
    assert caught.value.field == f"serious_conditions[10].{field}"
    assert words in caught.value.message


def test_a_comorbidity_coded_in_icd10cm_sets_its_tag_for_the_warning_cards() -> None:
    """The CDS reader reads condition tags from the one table the FHIR import reads too."""
    data = request(
        conditions=searchset(condition(ICD10CM, "N18.4", "Chronic kidney disease, stage 4")),
        medications=searchset(medicine("197806", "Ibuprofen 600 MG Oral Tablet")),
    )
    (warning,) = by_indicator(cards(data), "warning")
    assert "Chronic kidney disease" in warning["summary"]
    assert "Condition: Chronic kidney disease, stage 4 (ICD-10-CM N18.4)" in warning["detail"]


def test_the_plan_summary_names_triage_concerns_and_contradictions_with_sources() -> None:
    from backpath.interop.cds_cards import _plan_lines
    from backpath.interop.cds_reading import Reading
    from tests.conftest import make_intake

    intake = make_intake(patient={"age": 60, "sex": "male"}, conditions=["pregnancy"])
    detail = "\n".join(_plan_lines(Reading(intake=intake))[1])
    assert "**Look closer: Over 50 with a first episode of back pain** (review within 28" in detail
    assert "**The data contradict each other**: The intake records a pregnancy" in detail
    assert "finucane2020" in detail


def bundle_request(flag: str | None = None, leg_pain: str | None = None) -> dict[str, Any]:
    """A patient-view request whose prefetch is BackPath's exported chronic bundle (a whole
    intake), with one red-flag answer of the screen turned to yes, and leg pain changed."""
    golden = json.loads(GOLDEN.read_text("utf-8"))
    resources = [copy.deepcopy(e["resource"]) for e in golden["entry"]]
    for r in resources:
        for item in r.get("item", []) if r["resourceType"] == "QuestionnaireResponse" else []:
            if r["id"] == "chronic-qr-red-flags" and item["linkId"] == flag:
                item["answer"] = [{"valueBoolean": True}]
            if item["linkId"] == "episode.leg_pain" and leg_pain:
                item["answer"] = [{"valueString": leg_pain}]

    def of(kind: str) -> dict[str, Any]:
        return searchset(*(r for r in resources if r["resourceType"] == kind))

    patient = next(r for r in resources if r["resourceType"] == "Patient")
    return {
        "hook": "patient-view",
        "hookInstance": "0b4c6d5e-1f2a-4b3c-9d8e-7f6a5b4c3d2e",
        "context": {"userId": "Practitioner/example", "patientId": patient["id"]},
        "prefetch": {
            "patient": patient,
            "conditions": of("Condition"),
            "observations": of("Observation"),
            "medications": None,
            "questionnaireResponses": of("QuestionnaireResponse"),
        },
    }


def test_night_pain_alone_in_chronic_pain_is_a_concern_on_the_plan_card_not_a_red_flag() -> None:
    found = cards(bundle_request("constant_night_pain"))
    assert by_indicator(found, "critical") == []
    (info,) = by_indicator(found, "info")
    assert "**Look closer:" in info["detail"] and "finucane2020" in info["detail"]


def test_a_serious_flag_with_a_whole_intake_still_gives_the_critical_card() -> None:
    (critical,) = by_indicator(cards(bundle_request("major_trauma")), "critical")
    assert "serious injury" in critical["detail"]


def test_cancer_with_sciatica_on_record_is_an_emergency_card_as_in_backpaths_triage() -> None:
    urgent = by_indicator(cards(bundle_request("history_of_cancer")), "critical")
    assert [c["summary"].split(":")[0] for c in urgent] == ["Urgent referral"]
    (critical,) = by_indicator(
        cards(bundle_request("history_of_cancer", leg_pain="below_knee")), "critical"
    )
    assert critical["summary"].startswith("Emergency")
    assert "BackPath triage of everything on record" in critical["detail"]


SHELLFISH = {
    "resourceType": "AllergyIntolerance",
    "clinicalStatus": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "code": "active",
            }
        ]
    },
    "code": {"coding": [{"system": SNOMED, "code": "300913006"}], "text": "Shellfish allergy"},
    "patient": {"reference": "Patient/1288992"},
}


def _read(data: dict[str, Any]) -> Any:
    from backpath.interop.cds_reading import read

    return read(cds_hooks.gather(cds_hooks.parse_request(json.dumps(data))), TODAY)


def test_an_allergy_intolerance_in_the_prefetch_gives_its_tag_with_its_evidence() -> None:
    reading = _read(request(conditions=searchset(SHELLFISH)))
    assert reading.tags["shellfish_allergy"] == [
        "AllergyIntolerance: Shellfish allergy (SNOMED CT 300913006)"
    ]
    assert reading.tag_locations["shellfish_allergy"] == {"prefetch.conditions.entry[0].resource"}


def test_a_refuted_or_resolved_allergy_intolerance_gives_no_tag() -> None:
    refuted = copy.deepcopy(SHELLFISH)
    refuted["verificationStatus"] = {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                "code": "refuted",
            }
        ]
    }
    resolved = copy.deepcopy(SHELLFISH)
    resolved["clinicalStatus"]["coding"][0]["code"] = "resolved"
    for allergy in (refuted, resolved):
        assert "shellfish_allergy" not in _read(request(conditions=searchset(allergy))).tags


def test_an_allergy_intolerance_with_a_comorbidity_code_sets_no_comorbidity() -> None:
    odd = copy.deepcopy(SHELLFISH)
    odd["code"] = {"coding": [{"system": SNOMED, "code": "84114007"}]}
    assert _read(request(conditions=searchset(odd))).tags == {}
