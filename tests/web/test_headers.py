"""Headers on every response: patient data is never cached (``no-store``), a
Content-Security-Policy that allows no inline script, and a Permissions-Policy; no template
carries an inline script for the policy to block."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.patients.models import Patient
from tests.conftest import ROOT
from tests.web.builders import logged_in, with_program


def pages(patient: Patient) -> list[str]:
    return [
        reverse("patients:list"), f"/patients/{patient.pk}/", "/api/v1/patients",
        f"/api/v1/patients/{patient.pk}", f"/fhir/Patient/{patient.pk}", "/readyz",
    ]  # fmt: skip


def test_responses_with_patient_data_are_never_stored(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    for url in pages(patient):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_the_calendar_feed_and_the_cds_service_are_never_stored(patient: Patient) -> None:
    with_program(patient.current_episode())  # type: ignore[arg-type]
    feed = logged_in(patient.user).get(reverse("reminders:program_ics"))
    assert feed.status_code == 200 and "no-store" in feed["Cache-Control"]
    _, key = ApiToken.issue(patient.user)
    service, bearer = "/cds-services/backpath-patient-view", f"Bearer {key}"
    cds = Client().post(service, "{}", content_type="application/json", HTTP_AUTHORIZATION=bearer)
    assert "no-store" in cds["Cache-Control"]


def test_static_files_keep_their_cache(db: Any) -> None:
    response = Client().get("/static/backpath/site.css")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/login/", "/password/reset/", "/check/1/"])
def test_every_page_has_a_policy_without_inline_script(db: Any, url: str) -> None:
    response = Client().get(url)
    policy = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]+)", policy)
    assert script and script.group(1).strip() == "'self'"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions


def test_no_template_carries_an_inline_script() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "backpath" / "web").rglob("*.html")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", path.read_text("utf-8"))
        or re.search(r"\son[a-z]+=\"", path.read_text("utf-8"))
    ]
    assert offenders == []
