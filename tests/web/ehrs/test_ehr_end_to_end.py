"""One EHR connects to BackPath as an EHR vendor's integration team would, end to end.

The EHR makes its own keys (RS384 for the first, ES384 for a second), the clinic lead registers
the first on the EHRs page by its JWK Set URL (served on loopback, on the allow-list) and an
operator the second with ``backpath register-ehr`` and a JWK Set file. Each EHR reads the
discovery document, signs a JWT per call (``aud``, ``exp``, ``iat``, ``jti``, ``tenant``) and
calls ``patient-view`` with its chart in the shapes EHRs send (tests/web/ehrs/ehr_chart.py):
product codes, contained and ``_include``d Medications, a medicine BackPath does not know, an
element R4 does not define and an OperationOutcome for a failed query. Then it replays a
token, sends feedback on the warning card, and opens a chart with a red flag.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from typer.testing import CliRunner

from backpath import DISCLAIMER
from backpath.cli.main import app
from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.models import AuditEvent
from backpath.web.cds.models import CardFeedback, IssuedCard
from backpath.web.ehrs import jwks_fetch
from backpath.web.ehrs.models import EhrRegistration, UsedJti
from backpath.web.patients.models import Patient
from tests.mock_ehr import MRN_SYSTEM
from tests.web.builders import logged_in
from tests.web.ehr_double import FEEDBACK, SERVICE, JwksServer, null_or_empty
from tests.web.ehrs import ehr_chart

CDS_BASE = "https://backpath.test"
"""The address the EHRs call BackPath's CDS service at (``CDS_BASE_URL``)."""
PUBLIC = "https://clinic.backpath.test"
"""BackPath's public address (``BACKPATH_BASE_URL``), where the clinicians' browsers go."""
HARBOUR_ISS = "https://fhir.harbour-ehr.example/cds-client"
HILLTOP_ISS = "https://ehr.hilltop-systems.example"


@pytest.fixture(scope="module")
def rsa_of_the_ehr() -> RSAKey:
    """The first EHR's own signing key, made by the EHR (BackPath only ever sees its public
    half)."""
    return RSAKey.generate_key(2048, parameters={"kid": f"harbour-{uuid.uuid4().hex[:8]}",
                                                 "use": "sig", "alg": "RS384"})  # fmt: skip


@pytest.fixture(scope="module")
def ec_of_the_ehr() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": f"hilltop-{uuid.uuid4().hex[:8]}",
                                                   "use": "sig", "alg": "ES384"})  # fmt: skip


@dataclass
class PlayedEhr:
    """An EHR's CDS client: who it signs as, with which key, for which tenant."""

    name: str
    iss: str
    key: RSAKey | ECKey
    alg: str
    tenant: str
    jwks_url: str = ""

    def jwt(self, path: str = SERVICE, **changes: Any) -> str:
        """A fresh token for one call of ``path``, as the CDS Hooks specification lays it out
        (the ``jku`` header points at the EHR's keys; BackPath takes keys only from the
        registration)."""
        now = int(time.time())
        claims = {"iss": self.iss, "sub": "backpath-cds-client", "aud": CDS_BASE + path,
                  "iat": now, "exp": now + 60, "jti": str(uuid.uuid4()),
                  "tenant": self.tenant} | changes  # fmt: skip
        header = {"alg": self.alg, "typ": "JWT", "kid": self.key.kid}
        if self.jwks_url:
            header["jku"] = self.jwks_url
        return jwt.encode(header, claims, self.key, algorithms=[self.alg])

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        token = token or self.jwt(path)
        return Client().post(path, json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip

    def patient_view(self, call: dict[str, Any], token: str | None = None) -> Any:
        return self.post(SERVICE, call, token)


@pytest.fixture
def harbour(clinic: Clinic, settings: Any) -> Clinic:
    """The clinic, whose record numbers are the ones its EHR writes (``MRN_SYSTEM``)."""
    settings.CDS_BASE_URL = CDS_BASE
    settings.BACKPATH_BASE_URL = PUBLIC
    clinic.record_number_system = MRN_SYSTEM
    clinic.save(update_fields=["record_number_system"])
    return clinic


@pytest.fixture
def numbered(harbour: Clinic, patient: Patient) -> Patient:
    """Ada Byrne, the clinic's patient with the record number the EHR knows her by."""
    patient.clinic_identifier = ehr_chart.MRN
    patient.save(update_fields=["clinic_identifier"])
    return patient


@pytest.fixture
def keys_online(settings: Any, rsa_of_the_ehr: RSAKey) -> Iterator[JwksServer]:
    """The first EHR's JWK Set on loopback; its folder is on the deployment's allow-list."""
    jwks_fetch.forget()
    server = JwksServer()
    server.serve({"keys": [rsa_of_the_ehr.as_dict(private=False)]})
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.JWKS_ALLOWED_URLS = [server.base + "/.well-known/"]
    yield server
    server.shutdown()
    server.server_close()
    jwks_fetch.forget()


@pytest.fixture
def by_the_lead(lead: User, harbour: Clinic, keys_online: JwksServer,
                rsa_of_the_ehr: RSAKey) -> PlayedEhr:  # fmt: skip
    """The first EHR, registered by the clinic lead on the EHRs page: the form as the page
    serves it (its CSRF token checked), filled in and posted."""
    ehr = PlayedEhr("Harbour EHR", HARBOUR_ISS, rsa_of_the_ehr, "RS384", "harbour-back",
                    keys_online.url)  # fmt: skip
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lead)
    page = browser.get(reverse("ehrs:list")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None and 'name="jwks_url"' in page and 'name="tenant"' in page
    form = {"csrfmiddlewaretoken": token.group(1), "name": ehr.name, "iss": ehr.iss,
            "jwks_url": keys_online.url, "jwks": "", "tenant": ehr.tenant}  # fmt: skip
    response = browser.post(reverse("ehrs:list"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ehr


@pytest.fixture
def on_the_command_line(harbour: Clinic, ec_of_the_ehr: ECKey, tmp_path: Path) -> PlayedEhr:
    """The second EHR, registered by an operator with ``backpath register-ehr --jwks FILE``."""
    ehr = PlayedEhr("Hilltop", HILLTOP_ISS, ec_of_the_ehr, "ES384", "harbour-main")
    keys = tmp_path / "hilltop-jwks.json"
    keys.write_text(json.dumps({"keys": [ec_of_the_ehr.as_dict(private=False)]}))
    result = CliRunner().invoke(app, [
        "register-ehr", "--clinic", str(harbour.pk), "--iss", ehr.iss, "--jwks", str(keys),
        "--tenant", ehr.tenant, "--name", ehr.name,
    ])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return ehr


@pytest.fixture(params=["lead's page, RS384, JWK Set URL", "command line, ES384, JWK Set file"])
def played(request: pytest.FixtureRequest) -> PlayedEhr:
    name = "by_the_lead" if request.param.startswith("lead") else "on_the_command_line"
    ehr: PlayedEhr = request.getfixturevalue(name)
    return ehr


def cards_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content.decode()[:2000]
    assert null_or_empty(response.json()) == []
    found: list[dict[str, Any]] = response.json()["cards"]
    return found


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


# --- registering ------------------------------------------------------------------------------


def test_the_lead_registers_the_ehr_by_its_jwk_set_url_on_the_ehrs_page(
    by_the_lead: PlayedEhr, lead: User, harbour: Clinic, keys_online: JwksServer
) -> None:
    registration = EhrRegistration.objects.get(iss=HARBOUR_ISS)
    assert (registration.clinic, registration.jwks_url, registration.jwks) == (
        harbour, keys_online.url, None,
    )  # fmt: skip
    assert (registration.tenant, registration.created_by) == ("harbour-back", lead)
    page = logged_in(lead).get(reverse("ehrs:list")).content.decode()
    assert "Harbour EHR" in page and f"fetched from <code>{keys_online.url}</code>" in page
    assert f"{CDS_BASE}{SERVICE}" in page
    event = last("ehr.register")
    assert (event.username, event.clinic, event.path) == ("lead", harbour, "/ehrs/")
    assert keys_online.requests == []  # registering fetches nothing


def test_an_operator_registers_the_second_ehr_with_a_jwk_set_file(
    on_the_command_line: PlayedEhr, harbour: Clinic, ec_of_the_ehr: ECKey
) -> None:
    registration = EhrRegistration.objects.get(iss=HILLTOP_ISS)
    assert registration.stored_kids == [ec_of_the_ehr.kid] and registration.jwks_url == ""
    assert "d" not in registration.jwks["keys"][0]
    event = last("ehr.register")
    assert (event.clinic, event.method, event.user) == (harbour, "CLI", None)


def test_discovery_tells_the_ehr_what_to_prefetch_with_the_medications_included(
    db: Any,
) -> None:
    response = Client().get("/cds-services")
    assert response.status_code == 200 and null_or_empty(response.json()) == []
    (service,) = response.json()["services"]
    assert (service["id"], service["hook"]) == ("backpath-patient-view", "patient-view")
    prefetch = service["prefetch"]
    assert set(ehr_chart.prefetch()) == set(prefetch)
    assert "_include=MedicationRequest:medication" in prefetch["medications"]
    assert "_include=MedicationStatement:medication" in prefetch["medicationStatements"]


# --- patient-view -----------------------------------------------------------------------------


def test_the_ehrs_chart_warns_of_the_nsaid_with_the_anticoagulant_and_says_what_it_missed(
    played: PlayedEhr, numbered: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    call = ehr_chart.patient_view()
    with caplog.at_level(logging.WARNING, logger="backpath.interop.cds_prefetch"):
        warning, info = cards_of(played.patient_view(call))

    # The ibuprofen product (SCD) meets the anticoagulant named by its brand (SBD) on a
    # contained Medication, and the SSRI on an _include'd one.
    assert warning["indicator"] == "warning"
    assert warning["summary"].startswith(
        "Ibuprofen 600 mg tablet: interaction with 'Takes an anticoagulant' - avoid"
    )
    detail = warning["detail"]
    assert "(MedicationRequest, RxNorm 197806) contains ibuprofen" in detail
    assert "MedicationStatement: apixaban 5 MG Oral Tablet \\[Eliquis\\] (RxNorm 1364447)" in (
        detail
    )
    assert "MedicationRequest: sertraline 50 MG Oral Tablet (RxNorm 312941)" in detail
    assert detail.endswith(f"*{DISCLAIMER}*")

    # What BackPath could not check is said, never read as "none".
    assert info["indicator"] == "info"
    unreadable = "EHR data unreadable: observations; 1 medicine not recognised"
    assert info["summary"].startswith(unreadable)
    assert f"the EHR said: {ehr_chart.OBSERVATIONS_FAILED}" in info["detail"]
    assert (
        "Compounded back cream (pharmacy formula) (MedicationRequest, "
        f"{ehr_chart.LOCAL_DRUGS} CMP-88213)" in info["detail"]
    )

    # The patient is linked by the clinic's record number (the EHR's id is its own), to the
    # address the clinician's browser uses.
    (link,) = info["links"]
    assert link == {"label": "Open in BackPath", "type": "absolute",
                    "url": PUBLIC + reverse("patients:detail", args=[numbered.pk])}  # fmt: skip
    assert {c["source"]["url"] for c in (warning, info)} == {PUBLIC + "/"}

    # The element R4 does not have was dropped and logged, not refused.
    assert "prefetch.conditions.entry[0].resource.participant" in caplog.text

    event = last("cds.patient-view")
    assert (event.username, event.clinic, event.patient) == (
        f"ehr:{played.name}", numbered.clinic, numbered,
    )  # fmt: skip
    assert event.detail == (
        f"hookInstance={call['hookInstance']} match=identifier cards=warning,info"
    )
    kept = IssuedCard.objects.filter(hook_instance=call["hookInstance"])
    assert {str(c.uuid) for c in kept} == {warning["uuid"], info["uuid"]}
    assert {c.registration.iss for c in kept} == {played.iss}  # type: ignore[union-attr]


def test_the_ehrs_keys_are_fetched_once_from_its_jwk_set_url(
    by_the_lead: PlayedEhr, numbered: Patient, keys_online: JwksServer
) -> None:
    for _ in range(3):
        cards_of(by_the_lead.patient_view(ehr_chart.patient_view()))
    assert keys_online.requests == ["/.well-known/jwks.json"]


def test_a_replayed_jwt_is_refused_and_audited(played: PlayedEhr, numbered: Patient) -> None:
    token = played.jwt()
    cards_of(played.patient_view(ehr_chart.patient_view(), token))
    replayed = played.patient_view(ehr_chart.patient_view(), token)
    assert replayed.status_code == 401
    assert replayed["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    body = replayed.json()
    assert body["field"] == "jwt.jti" and "used before" in body["detail"]
    assert null_or_empty(body) == []
    event = last("cds.refused")
    assert (event.username, event.clinic) == (f"ehr:{played.name}", numbered.clinic)
    assert event.detail.startswith("status=401 jwt.jti: was used before")
    assert UsedJti.objects.filter(iss=played.iss).count() == 1
    assert IssuedCard.objects.count() == 2  # the replay was sent no cards


def test_a_token_for_another_tenant_is_refused(played: PlayedEhr, numbered: Patient) -> None:
    refused = played.patient_view(ehr_chart.patient_view(), played.jwt(tenant="hillside-spine"))
    assert refused.status_code == 401 and refused.json()["field"] == "jwt.tenant"


def test_feedback_on_the_warning_card_reaches_the_lead(
    played: PlayedEhr, numbered: Patient, lead: User
) -> None:
    warning, _ = cards_of(played.patient_view(ehr_chart.patient_view()))
    reason = {"system": "https://ehr.example/fhir/CodeSystem/override-reason",
              "code": "benefit-outweighs-risk",
              "display": "Benefit outweighs the risk"}  # fmt: skip
    feedback = {"feedback": [{
        "card": warning["uuid"], "outcome": "overridden",
        "outcomeTimestamp": "2026-03-02T10:15:00Z",
        "overrideReason": {"reason": reason, "userComment": "Short course; gastroprotection."},
    }]}  # fmt: skip

    # The token for the service does not open the feedback endpoint: each aud is its URL.
    wrong = played.post(FEEDBACK, feedback, played.jwt(SERVICE))
    assert wrong.status_code == 401 and wrong.json()["field"] == "jwt.aud"

    answer = played.post(FEEDBACK, feedback)
    assert answer.status_code == 200 and answer.json() == {"stored": 1}
    stored = CardFeedback.objects.get()
    assert (stored.card.summary, stored.outcome, stored.reason_code) == (
        warning["summary"], "overridden", "benefit-outweighs-risk",
    )  # fmt: skip
    assert stored.registration is not None and stored.registration.iss == played.iss
    event = last("cds.feedback")
    assert (event.username, event.clinic) == (f"ehr:{played.name}", numbered.clinic)
    assert event.detail == "stored=1 outcomes=overridden"

    page = logged_in(lead).get(reverse("cds:feedback"))
    assert page.status_code == 200
    text = page.content.decode()
    for words in (escape(warning["summary"]), "Overridden", "Benefit outweighs the risk",
                  "Short course; gastroprotection.", played.name, "2 Mar 2026 10:15",
                  "does not replace"):  # fmt: skip
        assert words in text, words
    assert last("read").detail == "EHR feedback page"


def test_a_red_flag_condition_in_the_same_shapes_gives_the_critical_card_first(
    played: PlayedEhr, numbered: Patient
) -> None:
    call = ehr_chart.patient_view(red_flag=True)
    cards = cards_of(played.patient_view(call))
    assert [card["indicator"] for card in cards] == ["critical", "warning"]
    critical = cards[0]
    assert critical["summary"].startswith("Emergency: possible cauda equina syndrome")
    assert "Cauda equina syndrome (SNOMED CT 192970008)" in critical["detail"]
    # Still said on the card that comes first: what could not be checked.
    assert f"the EHR said: {ehr_chart.OBSERVATIONS_FAILED}" in critical["detail"]
    assert "Compounded back cream (pharmacy formula)" in critical["detail"]
    assert critical["links"][0]["url"] == PUBLIC + reverse("patients:detail", args=[numbered.pk])
    assert "cards=critical,warning" in last("cds.patient-view").detail


def test_the_leads_audit_trail_tells_the_ehrs_day_in_order(
    by_the_lead: PlayedEhr, numbered: Patient, lead: User
) -> None:
    token = by_the_lead.jwt()
    warning, _ = cards_of(by_the_lead.patient_view(ehr_chart.patient_view(), token))
    assert by_the_lead.patient_view(ehr_chart.patient_view(), token).status_code == 401
    feedback = {"feedback": [{"card": warning["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2026-03-02T10:15:00Z"}]}  # fmt: skip
    assert by_the_lead.post(FEEDBACK, feedback).status_code == 200

    export = logged_in(lead).get(reverse("audit:csv"))
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(lines[1:]))  # below the disclaimer
    ehr_rows = [r for r in reversed(rows) if r["action"].startswith(("ehr.", "cds."))]
    assert [(r["user"], r["action"]) for r in ehr_rows] == [
        ("lead", "ehr.register"),
        ("ehr:Harbour EHR", "cds.patient-view"),
        ("ehr:Harbour EHR", "cds.refused"),
        ("ehr:Harbour EHR", "cds.feedback"),
    ]
    register, view, refused, sent = ehr_rows
    assert register["detail"] == f"{HARBOUR_ISS} (keys from {by_the_lead.jwks_url})"
    assert (view["patient id"], view["clinic number"]) == (str(numbered.pk), ehr_chart.MRN)
    assert view["request"] == f"POST {SERVICE}"
    assert refused["detail"].startswith("status=401 jwt.jti:")
    assert (sent["request"], sent["detail"]) == (
        f"POST {FEEDBACK}", "stored=1 outcomes=overridden",
    )  # fmt: skip
