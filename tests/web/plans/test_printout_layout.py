"""The printouts are short and leave no page mostly white: the clinician's plan with the
evidence as an optional appendix, the patient's one-page summary and the handout. Each is
fetched as a clinic or a patient would (rendered by the task backend, cached per version)."""

from __future__ import annotations

import shutil

import pytest
from django.test import Client
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.patients.models import Episode
from backpath.web.plans.models import Printout
from tests.web.builders import give_program, latest, logged_in, pdf_pages_filled, pdf_text

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is not installed"
)
FULL_ENOUGH = 0.6
"""Every page but the last carries content at least this far down (a page is never left
mostly white because the next item would not fit)."""
LAST_PAGE = 0.25
"""The last page holds what remains; a printout that would end on a nearly empty page is
packed closer (``backpath.reports.pdf``), so it never ends on a few lines."""


@pytest.fixture
def clinic(clinician: User, episode: Episode) -> Client:
    give_program(episode)
    client = logged_in(clinician)
    version = latest(episode)
    response = client.post(reverse("plans:publish", args=[episode.pk]),
                           {"version": version.number, "revision": version.revision})  # fmt: skip
    assert response.status_code == 302
    return client


def pdf(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
    return bytes(response.content)


def assert_no_page_mostly_white(document: bytes) -> list[float]:
    filled = pdf_pages_filled(document)
    shares = " ".join(f"{s:.2f}" for s in filled)
    assert all(share >= FULL_ENOUGH for share in filled[:-1]), shares
    assert filled[-1] >= LAST_PAGE or len(filled) == 1, shares
    return filled


def test_the_clinicians_plan_pdf_is_compact_and_the_evidence_an_appendix(
    clinic: Client, episode: Episode
) -> None:
    number = latest(episode).number
    url = reverse("plans:pdf", args=[episode.pk, number])
    plan = pdf(clinic, url)
    with_evidence = pdf(clinic, url + "?evidence=1")
    plan_pages = assert_no_page_mostly_white(plan)
    evidence_pages = assert_no_page_mostly_white(with_evidence)
    assert len(plan_pages) <= 10 and len(evidence_pages) > len(plan_pages)
    assert "Appendix: guideline verdicts" not in pdf_text(plan)
    assert "Appendix: guideline verdicts" in pdf_text(with_evidence)
    assert "does not replace" in pdf_text(plan)
    kinds = set(Printout.objects.filter(version__episode=episode).values_list("kind", flat=True))
    assert kinds == {"plan", "evidence"}  # each cached once per version


def test_the_patient_gets_one_page_and_a_short_handout(clinic: Client, episode: Episode) -> None:
    me = logged_in(episode.patient.user)
    summary = pdf(me, reverse("care:summary_pdf"))
    assert len(pdf_pages_filled(summary)) == 1
    text = pdf_text(summary)
    for words in ("Your plan this week", "Warning signs", "Who to contact", "does not replace"):
        assert words in text, words
    handout = pdf(me, reverse("care:handout_pdf"))
    assert len(assert_no_page_mostly_white(handout)) <= 4
