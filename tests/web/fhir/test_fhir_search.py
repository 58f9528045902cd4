"""Searches: by patient for each resource type of a record, Patient by identifier,
Questionnaire by canonical URL; paging by _count with signed page links; _lastUpdated with
its prefixes; lenient or strict handling of unknown parameters; $everything paged."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from backpath import DISCLAIMER
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients import identity
from backpath.web.patients.models import Episode, Patient, PatientIdentifier
from tests.web.builders import add_entry
from tests.web.fhir.fhir_calls import BASE, bearer, diagnostics, fhir, link, matches, resources

RECORD_TYPES = (
    "Observation", "Condition", "MedicationStatement", "AllergyIntolerance",
    "QuestionnaireResponse", "CarePlan",
)  # fmt: skip
EHR = "http://ehr.example/mrn"


def get(client: Client, url: str, **headers: Any) -> Any:
    """GET a relative path or one of the absolute links the server wrote."""
    return client.get(url.removeprefix("http://testserver"), **headers)


def pages(client: Client, url: str) -> list[dict[str, Any]]:
    """Every page of a search, following the next links."""
    found = [fhir(get(client, url))]
    while (following := link(found[-1], "next")) is not None:
        found.append(fhir(get(client, following)))
        assert len(found) < 50
    return found


@pytest.fixture
def scored(episode: Episode) -> Episode:
    """The episode with seven diary scores, one a day."""
    for day in range(7):
        add_entry(episode.patient, "nrs", days=day + 1, value=day)
    return episode


# --- search by patient ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_search_by_patient_finds_what_everything_holds_of_the_type(
    kind: str, clinician: User, scored: Episode
) -> None:
    client = bearer(clinician)
    pid = scored.patient.pk
    whole = fhir(client.get(f"/fhir/Patient/{pid}/$everything"))
    bundle = fhir(client.get(f"/fhir/{kind}", {"patient": f"Patient/{pid}"}))
    assert matches(bundle) == resources(whole, kind) != []
    assert bundle["total"] == len(resources(whole, kind))
    for entry in bundle["entry"][:-1]:
        assert entry["fullUrl"] == f"{BASE}/{kind}/{entry['resource']['id']}"
    assert bundle["entry"][-1]["resource"]["issue"][0]["diagnostics"] == DISCLAIMER


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_search_for_someone_elses_patient_is_empty_and_audited(
    kind: str, outsider: User, episode: Episode
) -> None:
    bundle = fhir(bearer(outsider).get(f"/fhir/{kind}?patient={episode.patient.pk}"))
    assert bundle["total"] == 0 and matches(bundle) == []
    event = AuditEvent.objects.get(username="outsider")
    assert event.patient_id is None and event.detail.startswith(f"FHIR {kind} search: no patient")


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_a_search_by_patient_is_audited(kind: str, clinician: User, episode: Episode) -> None:
    AuditEvent.objects.all().delete()
    fhir(bearer(clinician).get(f"/fhir/{kind}?patient={episode.patient.pk}"))
    event = AuditEvent.objects.get()
    assert (event.action, event.patient_id, event.detail) == (
        "read", episode.patient.pk, f"FHIR {kind} search"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "patient: required"),
        ("?patient=", "patient: required"),
        ("?patient=1&patient=2", "patient: given 2 times"),
        ("?patient=Observation/1", "is not valid"),
        ("?patient=1,2", "is not valid"),
    ],
)
@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_search_by_patient_needs_one_patient(
    kind: str, query: str, expected: str, clinician: User
) -> None:
    text = diagnostics(bearer(clinician).get(f"/fhir/{kind}{query}"), 400)
    assert expected in text and "Patient/12" in text


# --- paging ---------------------------------------------------------------------------------


def test_pages_follow_next_links_to_every_match(clinician: User, scored: Episode) -> None:
    client = bearer(clinician)
    pid = scored.patient.pk
    whole = fhir(client.get(f"/fhir/Observation?patient={pid}"))
    found = pages(client, f"/fhir/Observation?patient={pid}&_count=3")
    assert len(found) == -(-whole["total"] // 3) >= 3
    assert [r for page in found for r in matches(page)] == matches(whole)
    assert {page["total"] for page in found} == {whole["total"]}
    for number, page in enumerate(found):
        assert len(matches(page)) <= 3
        assert page["entry"][-1]["resource"]["issue"][0]["diagnostics"] == DISCLAIMER
        assert all(item["url"].startswith(f"{BASE}/Observation?") for item in page["link"])
        assert (link(page, "previous") is None) == (number == 0)
        assert (link(page, "next") is None) == (number == len(found) - 1)
    back = fhir(get(client, str(link(found[2], "previous"))))
    assert matches(back) == matches(found[1])
    assert link(back, "self") == link(found[1], "self")  # the same page has the same links


def test_page_links_carry_no_time(clinician: User, scored: Episode, monkeypatch: Any) -> None:
    client = bearer(clinician)
    url = f"/fhir/Observation?patient={scored.patient.pk}&_count=3"
    first = link(fhir(client.get(url)), "next")
    later = timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr("django.core.signing.time.time", lambda: later.timestamp())
    assert link(fhir(client.get(url)), "next") == first


def test_count_zero_gives_the_total_alone(clinician: User, scored: Episode) -> None:
    bundle = fhir(bearer(clinician).get(f"/fhir/Observation?patient={scored.patient.pk}&_count=0"))
    assert bundle["total"] > 0 and matches(bundle) == []
    assert [item["relation"] for item in bundle["link"]] == ["self"]


def test_a_count_above_the_maximum_is_lowered(clinician: User, scored: Episode) -> None:
    bundle = fhir(
        bearer(clinician).get(f"/fhir/Observation?patient={scored.patient.pk}&_count=9999")
    )
    assert parse_qs(urlsplit(str(link(bundle, "self"))).query)["_count"] == ["500"]


@pytest.mark.parametrize("count", ["-1", "abc", "1.5", "", "9" * 12])
def test_a_count_that_is_not_a_number_is_a_400(
    count: str, clinician: User, scored: Episode
) -> None:
    url = f"/fhir/Observation?patient={scored.patient.pk}&_count={count}"
    text = diagnostics(bearer(clinician).get(url), 400)
    assert text.startswith("_count:")


def test_page_links_cannot_be_made_up_or_moved(clinician: User, scored: Episode) -> None:
    client = bearer(clinician)
    pid = scored.patient.pk
    first = fhir(client.get(f"/fhir/Observation?patient={pid}&_count=2"))
    token = parse_qs(urlsplit(str(link(first, "next"))).query)["_page"][0]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad, where in [
        (forged, "not a page link"),
        ("5", "not a page link"),
        (token, "another search"),
    ]:
        patient = pid if bad != token else f"{pid}&_lastUpdated=ge2000"
        url = f"/fhir/Observation?patient={patient}&_count=2&{urlencode({'_page': bad})}"
        assert where in diagnostics(client.get(url), 400)
    other = f"/fhir/Condition?patient={pid}&_count=2&{urlencode({'_page': token})}"
    assert diagnostics(client.get(other), 400).startswith("_page:")


# --- _lastUpdated ---------------------------------------------------------------------------


@pytest.fixture
def dated(clinician: User, patient: Patient) -> dict[str, str]:
    """Three diary scores created at known times; id -> created."""
    times = {
        "early": dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        "noon": dt.datetime(2026, 1, 6, 12, 0, 30, tzinfo=dt.UTC),
        "late": dt.datetime(2026, 2, 1, 8, 0, tzinfo=dt.UTC),
    }
    found = {}
    for name, when in times.items():
        entry = DiaryEntry.objects.create(patient=patient, on=when.date(), kind="nrs", value=3)
        DiaryEntry.objects.filter(pk=entry.pk).update(created=when)
        found[f"{patient.pk}-diary-{entry.pk}-nrs"] = name
    return found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05", {"early"}),
        ("eq2026-01", {"early", "noon"}),
        ("ge2026-01-06", {"noon", "late"}),
        ("gt2026-01-06", {"late"}),
        ("le2026-01-06", {"early", "noon"}),
        ("lt2026-01-06", {"early"}),
        ("gt2026-01-06T12:00:30Z", {"late"}),
        ("ge2026-01-06T12:00:30Z", {"noon", "late"}),
        ("eq2026-01-06T12:00Z", {"noon"}),
        ("lt2026-01-06T13:00:30+01:00", {"early"}),
        ("ge2026-01-06T13:00:30+01:00", {"noon", "late"}),
        ("2026-01-06T12:00:30.000Z", {"noon"}),
        ("2027", set()),
    ],
)
def test_last_updated_compares_the_range_a_date_stands_for(
    value: str, expected: set[str], clinician: User, patient: Patient, dated: dict[str, str]
) -> None:
    bundle = fhir(
        bearer(clinician).get("/fhir/Observation", {"patient": patient.pk, "_lastUpdated": value})
    )
    assert {dated[r["id"]] for r in matches(bundle)} == expected
    assert bundle["total"] == len(expected)


def test_two_last_updated_values_make_a_range(
    clinician: User, patient: Patient, dated: dict[str, str]
) -> None:
    query = f"patient={patient.pk}&_lastUpdated=gt2026-01-05&_lastUpdated=lt2026-02"
    bundle = fhir(bearer(clinician).get(f"/fhir/Observation?{query}"))
    assert {dated[r["id"]] for r in matches(bundle)} == {"noon"}
    assert "_lastUpdated=gt2026-01-05&_lastUpdated=lt2026-02" in str(link(bundle, "self"))


@pytest.mark.parametrize(
    "value", ["ne2026-01-05", "ap2026", "yesterday", "2026-13", "2026-02-30", "2026-1-5",
              "2026-01-05T25:00Z", "2026-01-05T10", "gt", "2026-01-05T10:00+15:00"],
)  # fmt: skip
def test_a_bad_last_updated_is_a_400_naming_it(
    value: str, clinician: User, patient: Patient
) -> None:
    response = bearer(clinician).get(
        "/fhir/Observation", {"patient": patient.pk, "_lastUpdated": value}
    )
    assert diagnostics(response, 400).startswith("_lastUpdated:")


def test_meta_last_updated_is_what_the_search_compares(
    clinician: User, patient: Patient, dated: dict[str, str]
) -> None:
    bundle = fhir(bearer(clinician).get(f"/fhir/Observation?patient={patient.pk}"))
    assert {r["meta"]["lastUpdated"] for r in matches(bundle)} == {
        "2026-01-05T09:00:00Z", "2026-01-06T12:00:30Z", "2026-02-01T08:00:00Z"
    }  # fmt: skip


# --- unknown parameters ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_unknown_parameters_are_ignored_unless_strict(
    kind: str, clinician: User, episode: Episode
) -> None:
    client = bearer(clinician)
    url = f"/fhir/{kind}?patient={episode.patient.pk}&status=active&_sort=date"
    lenient = fhir(client.get(url))
    plain = fhir(client.get(f"/fhir/{kind}?patient={episode.patient.pk}"))
    assert matches(lenient) == matches(plain)
    assert "status" not in str(link(lenient, "self")) and "_sort" not in str(link(lenient, "self"))
    text = diagnostics(client.get(url, HTTP_PREFER="handling=strict"), 400)
    assert text.startswith("_sort: unsupported parameter") and "patient" in text
    fhir(
        client.get(
            f"/fhir/{kind}?patient={episode.patient.pk}&_count=1", HTTP_PREFER="handling=strict"
        )
    )


# --- Patient?identifier ---------------------------------------------------------------------


@pytest.fixture
def identified(patient: Patient) -> Patient:
    Patient.objects.filter(pk=patient.pk).update(clinic_identifier="HBC-7")
    PatientIdentifier.objects.create(
        clinic=patient.clinic, patient=patient, system=EHR, value="884"
    )
    return Patient.objects.get(pk=patient.pk)


def test_a_patient_is_found_by_an_ehr_identifier_or_the_record_number(
    clinician: User, identified: Patient
) -> None:
    client = bearer(clinician)
    own = identity.record_number_system(identified.clinic)
    assert own.endswith(f"/NamingSystem/clinic-{identified.clinic_id}-record")
    for token in (f"{EHR}|884", f"{own}|HBC-7"):
        bundle = fhir(client.get("/fhir/Patient", {"identifier": token}))
        (found,) = matches(bundle)
        assert found["id"] == str(identified.pk) and bundle["total"] == 1
        assert {"system": EHR, "value": "884"} in found["identifier"]


@pytest.mark.parametrize("token", [f"{EHR}|885", "http://other.example/mrn|884", f"{EHR}|HBC-7"])
def test_an_identifier_that_names_no_one_finds_no_one(
    token: str, clinician: User, identified: Patient
) -> None:
    AuditEvent.objects.all().delete()
    bundle = fhir(bearer(clinician).get("/fhir/Patient", {"identifier": token}))
    assert bundle["total"] == 0 and matches(bundle) == []
    assert AuditEvent.objects.get().detail.startswith("FHIR Patient search: no match")


def test_another_clinic_never_finds_the_patient_by_identifier(
    outsider: User, other_clinic: Any, identified: Patient
) -> None:
    twin = Patient.objects.create(clinic=other_clinic, given_name="Ann", family_name="Other",
                                  birth_year=1980)  # fmt: skip
    PatientIdentifier.objects.create(clinic=other_clinic, patient=twin, system=EHR, value="884")
    bundle = fhir(bearer(outsider).get("/fhir/Patient", {"identifier": f"{EHR}|884"}))
    assert [r["id"] for r in matches(bundle)] == [str(twin.pk)]


def test_a_patient_finds_only_themself_by_identifier(identified: Patient, clinic: Any) -> None:
    other = Patient.objects.create(
        clinic=clinic, given_name="Bo", family_name="Lind", birth_year=1960
    )
    PatientIdentifier.objects.create(clinic=clinic, patient=other, system=EHR, value="999")
    client = bearer(identified.user)
    assert [r["id"] for r in matches(fhir(client.get(f"/fhir/Patient?identifier={EHR}|884")))] == [
        str(identified.pk)
    ]
    assert fhir(client.get(f"/fhir/Patient?identifier={EHR}|999"))["total"] == 0


def test_a_found_patient_is_audited(clinician: User, identified: Patient) -> None:
    AuditEvent.objects.all().delete()
    fhir(bearer(clinician).get(f"/fhir/Patient?identifier={EHR}|884"))
    event = AuditEvent.objects.get()
    assert (event.patient_id, event.detail) == (identified.pk, "FHIR Patient search by identifier")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "identifier: required"),
        ("?identifier=884", "both needed"),
        (f"?identifier={EHR}|", "both needed"),
        ("?identifier=|884", "both needed"),
        (f"?identifier={EHR}|884,{EHR}|885", "one identifier at a time"),
        (f"?identifier={EHR}|1&identifier={EHR}|2", "given 2 times"),
    ],
)
def test_an_identifier_search_needs_one_system_and_value(
    query: str, expected: str, clinician: User
) -> None:
    text = diagnostics(bearer(clinician).get(f"/fhir/Patient{query}"), 400)
    assert text.startswith("identifier:") and expected in text


def test_an_escaped_bar_or_comma_is_part_of_the_value(clinician: User, patient: Patient) -> None:
    PatientIdentifier.objects.create(
        clinic=patient.clinic, patient=patient, system=EHR, value="a|b,c"
    )
    query = urlencode({"identifier": f"{EHR}|a\\|b\\,c"})
    assert fhir(bearer(clinician).get(f"/fhir/Patient?{query}"))["total"] == 1


def test_patient_search_needs_credentials(identified: Patient) -> None:
    diagnostics(Client().get(f"/fhir/Patient?identifier={EHR}|884"), 401)


# --- Questionnaire?url ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_questionnaire_is_found_by_its_canonical_url_with_or_without_version() -> None:
    odi = fhir(Client().get("/fhir/Questionnaire/odi"))
    for value in (odi["url"], f"{odi['url']}|{odi['version']}"):
        bundle = fhir(Client().get("/fhir/Questionnaire", {"url": value}))
        assert matches(bundle) == [odi] and bundle["total"] == 1
    assert fhir(Client().get("/fhir/Questionnaire", {"url": f"{odi['url']}|0.0"}))["total"] == 0
    assert fhir(Client().get("/fhir/Questionnaire", {"url": "http://elsewhere/x"}))["total"] == 0


@pytest.mark.django_db
def test_without_a_url_every_questionnaire_is_found() -> None:
    bundle = fhir(Client().get("/fhir/Questionnaire"))
    assert bundle["total"] == 7 and {e["search"]["mode"] for e in bundle["entry"][:-1]} == {"match"}


@pytest.mark.django_db
def test_a_url_with_an_empty_version_is_a_400() -> None:
    assert diagnostics(
        Client().get("/fhir/Questionnaire?url=http://x/Questionnaire/odi|"), 400
    ).startswith("url:")


# --- $everything, paged ---------------------------------------------------------------------


def test_everything_in_pages_is_everything(clinician: User, scored: Episode) -> None:
    client = bearer(clinician)
    pid = scored.patient.pk
    whole = fhir(client.get(f"/fhir/Patient/{pid}/$everything"))
    found = pages(client, f"/fhir/Patient/{pid}/$everything?_count=4")
    assert len(found) > 2
    assert [r for page in found for r in matches(page)] == matches(whole)
    assert {page["total"] for page in found} == {whole["total"]} == {len(matches(whole))}
    for page in found:
        assert page["entry"][-1]["resource"]["issue"][0]["diagnostics"] == DISCLAIMER
        answered = {r["questionnaire"] for r in resources(page, "QuestionnaireResponse")}
        included = [e for e in page["entry"] if e["search"]["mode"] == "include"]
        assert {e["resource"]["url"] for e in included} == answered
        assert all(e["resource"]["resourceType"] == "Questionnaire" for e in included)
    assert Counter(r["resourceType"] for r in matches(found[0]))["Patient"] == 1


def test_everything_accepts_count_and_page_strictly(clinician: User, episode: Episode) -> None:
    client = bearer(clinician)
    url = f"/fhir/Patient/{episode.patient.pk}/$everything?_count=2"
    fhir(client.get(url, HTTP_PREFER="handling=strict"))
    text = diagnostics(client.get(url + "&_since=2026-01-01", HTTP_PREFER="handling=strict"), 400)
    assert text.startswith("_since: unsupported parameter")


def test_search_bundles_are_stamped_now(clinician: User, episode: Episode) -> None:
    before = timezone.now().replace(microsecond=0)
    bundle = fhir(bearer(clinician).get(f"/fhir/CarePlan?patient={episode.patient.pk}"))
    assert dt.datetime.fromisoformat(bundle["timestamp"]) >= before
