"""The CapabilityStatement lists exactly what the server serves. What to call is derived
from the statement the server answers at /fhir/metadata, and checked both ways: every
listed interaction, search parameter and operation works; every interaction it does not
list on a listed type is a 405, every type it does not list a 404, every unlisted search
parameter a 400 under strict handling, every unlisted operation a 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from backpath.interop import capability
from backpath.web.accounts.models import User
from backpath.web.fhir.apps import statement_matches_views
from backpath.web.patients.models import Episode, PatientIdentifier
from tests.fhir_schema import _definitions, require_schema
from tests.web.fhir.fhir_calls import bearer, diagnostics, fhir, resources

EHR = "http://ehr.example/mrn"
INTERACTIONS = {
    # FHIR R4's type- and instance-level interactions: method and address
    "read": ("get", "{type}/{id}"),
    "vread": ("get", "{type}/{id}/_history/1"),
    "update": ("put", "{type}/{id}"),
    "patch": ("patch", "{type}/{id}"),
    "delete": ("delete", "{type}/{id}"),
    "history-instance": ("get", "{type}/{id}/_history"),
    "history-type": ("get", "{type}/_history"),
    "create": ("post", "{type}"),
    "search-type": ("get", "{type}"),
}
UNLISTED_PARAMS = ("_id", "_sort", "_include", "_summary", "code", "status", "subject")


def statement() -> dict[str, Any]:
    return fhir(Client().get("/fhir/metadata"))


def served() -> dict[str, dict[str, Any]]:
    (rest,) = statement()["rest"]
    return {r["type"]: r for r in rest["resource"]}


@pytest.fixture
def world(clinician: User, episode: Episode) -> dict[str, Any]:
    """A staff client, an id of each served type, and a value for each search parameter."""
    patient = episode.patient
    PatientIdentifier.objects.create(clinic=patient.clinic, patient=patient, system=EHR, value="1")
    client = bearer(clinician)
    record = resources(fhir(client.get(f"/fhir/Patient/{patient.pk}/$everything")))
    ids = {r["resourceType"]: r["id"] for r in reversed(record) if "id" in r}
    ids |= {"CodeSystem": "treatment", "StructureDefinition": "treatment-line"}
    questionnaire = fhir(client.get("/fhir/Questionnaire/nrs"))
    values = {
        "patient": str(patient.pk),
        "identifier": f"{EHR}|1",
        "url": questionnaire["url"],
        "_lastUpdated": "ge2000-01-01",
        "_count": "5",
    }
    return {"client": client, "ids": ids, "values": values, "patient": patient}


def search_query(resource: dict[str, Any], values: dict[str, str], only: str | None = None) -> str:
    """A query giving the type's required parameter (and ``only``, if named)."""
    names = [p["name"] for p in resource.get("searchParam", [])]
    required = [n for n in names if n in ("patient", "identifier")]
    wanted = {*required, *([only] if only else [])}
    return urlencode([(n, values[n]) for n in names if n in wanted and n in values])


def test_the_statement_names_only_interactions_fhir_defines() -> None:
    for resource in served().values():
        codes = [i["code"] for i in resource["interaction"]]
        assert set(codes) <= set(INTERACTIONS) and codes


def test_every_type_of_a_record_is_read_and_searched_by_patient(world: dict[str, Any]) -> None:
    client, patient = world["client"], world["patient"]
    record = resources(fhir(client.get(f"/fhir/Patient/{patient.pk}/$everything")))
    published = {r["resourceType"] for r in record} - {"OperationOutcome"}
    listed = served()
    assert published <= set(listed)
    for kind in published - {"Patient", "Questionnaire"}:
        names = [p["name"] for p in listed[kind]["searchParam"]]
        assert "patient" in names and "read" in {i["code"] for i in listed[kind]["interaction"]}


def test_every_listed_interaction_answers_and_every_other_is_a_405(world: dict[str, Any]) -> None:
    client, ids, values = world["client"], world["ids"], world["values"]
    for kind, resource in served().items():
        listed = {i["code"] for i in resource["interaction"]}
        for interaction, (method, shape) in INTERACTIONS.items():
            path = "/fhir/" + shape.format(type=kind, id=ids[kind])
            if interaction == "search-type":
                path += "?" + search_query(resource, values)
            if method == "get":
                response = client.get(path)
            else:
                body = {"content_type": "application/fhir+json", "data": "{}"}
                response = getattr(client, method)(path, **body)
            if interaction in listed:
                body = fhir(response)
                expected = "Bundle" if interaction == "search-type" else kind
                assert body["resourceType"] == expected, (kind, interaction)
            else:
                assert "not supported" in diagnostics(response, 405), (kind, interaction)
                assert "Allow" in response


@pytest.mark.django_db
def test_every_type_the_statement_does_not_list_is_a_404() -> None:
    require_schema()
    listed = set(served())
    r4_types = {
        name
        for name, definition in _definitions().items()
        if "resourceType" in definition.get("properties", {})
    }
    assert listed < r4_types and len(r4_types) > 140
    client = Client()
    for kind in [*sorted(r4_types - listed), "NotAType", "patient"]:
        for method, path in (("get", kind), ("get", f"{kind}/1"), ("post", kind)):
            response = getattr(client, method)(f"/fhir/{path}")
            assert "not served here" in diagnostics(response, 404), path


def test_every_listed_search_parameter_is_accepted_strictly(world: dict[str, Any]) -> None:
    client, values = world["client"], world["values"]
    for kind, resource in served().items():
        for param in resource.get("searchParam", []):
            name = param["name"]
            if name == "_page":
                continue  # written by the server into links; see test_fhir_search
            query = search_query(resource, values, only=name)
            response = client.get(f"/fhir/{kind}?{query}", HTTP_PREFER="handling=strict")
            assert fhir(response)["resourceType"] == "Bundle", (kind, name)


def test_every_unlisted_search_parameter_is_refused_strictly(world: dict[str, Any]) -> None:
    client, values = world["client"], world["values"]
    for kind, resource in served().items():
        if "searchParam" not in resource:
            continue  # read-only types: a search is a 405 (see the interactions' test)
        listed = {p["name"] for p in resource["searchParam"]}
        for name in UNLISTED_PARAMS:
            assert name not in listed
            query = search_query(resource, values) + f"&{name}=x"
            response = client.get(f"/fhir/{kind}?{query}", HTTP_PREFER="handling=strict")
            assert diagnostics(response, 400).startswith(f"{name}: unsupported parameter")


def test_listed_operations_work_and_others_are_404(world: dict[str, Any]) -> None:
    client, ids = world["client"], world["ids"]
    for kind, resource in served().items():
        listed = {o["name"] for o in resource.get("operation", [])}
        for name in listed:
            assert name == "everything" and kind == "Patient"
            fhir(client.get(f"/fhir/{kind}/{ids[kind]}/${name}"))
        for name in ("validate", "meta", "export", "everything"):
            if name in listed:
                continue
            response = client.get(f"/fhir/{kind}/{ids[kind]}/${name}")
            assert "not supported" in diagnostics(response, 404)
            assert "not supported" in diagnostics(client.get(f"/fhir/{kind}/${name}"), 404)


def test_the_views_serve_what_the_statement_lists() -> None:
    assert statement_matches_views() == []


def test_a_type_listed_without_its_view_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    more = (*capability.SERVED, *capability.read_only("ValueSet"))
    monkeypatch.setattr(capability, "SERVED", more)
    (error,) = statement_matches_views()
    assert error.id == "fhir.E001" and "ValueSet" in error.msg


def test_read_only_types_are_public_reads() -> None:
    (code_systems,) = capability.read_only("CodeSystem")
    assert (code_systems.interactions, code_systems.public, code_systems.search) == (
        ("read",), True, ()
    )  # fmt: skip
