"""The source articles' claims against the evidence: a staff reference page, never in a plan."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backpath import DISCLAIMER
from backpath.knowledge import load_knowledge
from backpath.web.accounts.models import User
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import logged_in

CLAIMS = "plans:claims"
HEADING = "The source articles' claims against the evidence"


def words(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def decompression_claim() -> str:
    """The evidence side of a claim about a treatment every chronic plan lists (left out)."""
    claim = load_knowledge().treatment("spinal_decompression").seed_claims[0]
    assert claim.agreement == "conflicts"
    return " ".join(claim.evidence.split())


@pytest.mark.parametrize("persona", ["clinician", "lead"])
def test_staff_see_every_treatments_claims_against_the_evidence(
    persona: str, request: pytest.FixtureRequest
) -> None:
    response = logged_in(request.getfixturevalue(persona)).get(reverse(CLAIMS))
    page = words(response)
    assert response.status_code == 200
    assert HEADING in page and DISCLAIMER in page
    assert decompression_claim() in page and "Conflicts with the evidence" in page
    kb = load_knowledge()
    for card in kb.treatments.values():
        if card.seed_claims:
            assert f'id="claims-{card.id}"' in page, card.id


def test_the_staff_navigation_links_to_the_claims_page_and_the_patients_does_not(
    clinician: User, patient: Patient
) -> None:
    link = f'href="{reverse(CLAIMS)}"'
    assert link in logged_in(clinician).get(reverse("patients:list")).content.decode()
    assert link not in logged_in(patient.user).get(reverse("care:my_plan")).content.decode()


def test_a_patient_is_refused_the_claims_page(patient: Patient) -> None:
    assert logged_in(patient.user).get(reverse(CLAIMS)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(db: Any) -> None:
    response = Client().get(reverse(CLAIMS))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_plan_page_its_print_and_its_pdf_carry_no_seed_claims(
    clinician: User, episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(clinician)
    pdf_html: list[str] = []
    monkeypatch.setattr(
        "backpath.web.plans.views.render_pdf", lambda h: pdf_html.append(h) or b"%PDF"
    )
    pages = {
        "plan": words(client.get(reverse("plans:plan", args=[episode.pk]))),
        "print": words(client.get(reverse("plans:print", args=[episode.pk, 1]))),
    }
    client.get(reverse("plans:pdf", args=[episode.pk, 1]))
    pages["pdf"] = " ".join(html.unescape(pdf_html[0]).split())
    plan = PlanVersion.objects.get(episode=episode).plan
    assert "spinal_decompression" in {i["treatment"] for i in plan["not_recommended"]}
    for name, page in pages.items():
        assert "non-surgical spinal decompression" in page, name  # listed; its claim is not
        assert decompression_claim() not in page, name
        assert 'id="seeds"' not in page and "Conflicts with the evidence" not in page, name


def test_the_patients_plan_carries_no_seed_claims(
    clinician: User, patient: Patient, episode: Episode
) -> None:
    version = PlanVersion.objects.get(episode=episode)
    version.status = PlanVersion.Status.PUBLISHED
    version.save()
    response = logged_in(patient.user).get(reverse("care:my_plan"))
    page = words(response)
    assert response.status_code == 200 and "Start now" in page
    claims = [c for card in load_knowledge().treatments.values() for c in card.seed_claims]
    for claim in claims:
        assert " ".join(claim.evidence.split()) not in page
        assert " ".join(claim.claim.split()) not in page
