"""A plan version as a printable page and as a PDF (WeasyPrint), both with the disclaimer."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from backpath import DISCLAIMER
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import NO_FLAGS_FORM, complete_intake, logged_in, pdf_text


@pytest.fixture
def client(clinician: User) -> Client:
    return logged_in(clinician)


def test_the_printable_page_has_no_navigation_and_carries_the_disclaimer(
    client: Client, episode: Episode
) -> None:
    response = client.get(reverse("plans:print", args=[episode.pk, 1]))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "<nav" not in page and "Sign out" not in page
    assert page.count(DISCLAIMER) >= 2  # at the top and in the footer
    assert "backpath/plans.css" in page and "not yet published to the patient." in page
    for item in PlanVersion.objects.get(episode=episode).plan["recommended"]:
        assert item["name"] in page
    assert AuditEvent.objects.filter(action="read", detail="plan v1 print").exists()


def test_the_pdf_is_a_pdf_download_with_the_disclaimer(client: Client, episode: Episode) -> None:
    response = client.get(reverse("plans:pdf", args=[episode.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="backpath-plan-episode-{episode.pk}-v1.pdf"'
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert "does not replace" in pdf_text(pdf)
    assert AuditEvent.objects.filter(action="export", detail="plan v1 PDF").exists()


def test_the_pdf_is_made_from_the_printable_page_with_its_styles_inlined(
    client: Client, episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr("backpath.web.plans.views.render_pdf", lambda h: seen.append(h) or b"%PDF")
    client.get(reverse("plans:pdf", args=[episode.pk, 1]))
    page = html.unescape(seen[0])
    assert DISCLAIMER in page and "<style>" in page and "@page" in page
    assert "<link" not in page  # nothing for WeasyPrint to fetch


def test_an_emergency_pdf_says_to_seek_emergency_care(client: Client, patient: Patient) -> None:
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"saddle_anaesthesia": "yes"})
    page = html.unescape(client.get(reverse("plans:print", args=[episode.pk, 1])).content.decode())
    assert "Emergency: seek emergency care now. No treatment plan is given." in page
    assert client.get(reverse("plans:pdf", args=[episode.pk, 1])).content.startswith(b"%PDF")
