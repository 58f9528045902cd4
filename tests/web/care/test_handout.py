"""The printable handout of the home program: an HTML page and a PDF, both with the pictures
as two numbered frames, the doses, the stop rules and the disclaimer."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from backpath import DISCLAIMER
from backpath.exercises import load_exercises, load_stop_rules
from backpath.web.audit.models import AuditEvent
from backpath.web.care.handout import handout_html
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import (
    DAILY,
    WEEKLY,
    home_program,
    logged_in,
    pdf_text,
    plan_without_program,
    with_program,
)


def test_the_handout_page_shows_every_exercise_as_two_numbered_frames(
    me: Client, patient: Patient
) -> None:
    response = me.get(reverse("care:handout"))
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "<nav" not in text and "Sign out" not in text
    assert text.count(DISCLAIMER) >= 2  # at the top and in the footer
    assert "Harbour Back Clinic" in text and "Ada Byrne" in text
    for number, exercise in enumerate((*DAILY, WEEKLY), start=1):
        ex = load_exercises()[exercise]
        assert f"{number}. {ex.name}" in text and ex.dose.text() in text
        assert f'id="bp-fig-{exercise}-frames-title"' in text
        assert ex.instructions.start_position in text
    assert "<animate" not in text and "-animated-" not in text  # print runs no animation
    assert re.search(
        r'<tspan font-weight="bold">Start</tspan>.*<tspan font-weight="bold">End</tspan>', text
    )
    assert load_stop_rules()["pain_worse"].patient_text in text
    assert "Build up to 30 minutes of walking" in text and "Warning signs" in text
    assert AuditEvent.objects.filter(
        patient=patient, action="read", detail="home program handout"
    ).exists()


def test_general_stop_rules_are_listed_once_and_each_exercise_keeps_its_own(me: Client) -> None:
    text = html.unescape(me.get(reverse("care:handout")).content.decode())
    assert text.count(load_stop_rules()["pain_worse"].patient_text) == 1
    assert text.count(load_stop_rules()["form_lost"].patient_text) >= 1  # bird-dog's own rule


def test_the_pdf_is_an_a4_download_with_the_program_and_the_disclaimer(
    me: Client, patient: Patient
) -> None:
    response = me.get(reverse("care:handout_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="backpath-home-program-v1-\d{4}-\d{2}-\d{2}\.pdf"',
        response["Content-Disposition"],
    )
    assert response["Cache-Control"] == "private, no-store"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "does not replace" in text
    if shutil.which("pdftotext"):
        for exercise in (*DAILY, WEEKLY):
            assert load_exercises()[exercise].name in text
        assert "Harbour Back Clinic" in text and "When to stop any exercise" in text
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
        fields = info.stdout.decode()
        assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", fields)
        pages = int(re.search(r"Pages:\s+(\d+)", fields).group(1))  # type: ignore[union-attr]
        assert 1 <= pages <= 4
    assert AuditEvent.objects.filter(
        patient=patient, action="export", detail="home program handout PDF"
    ).exists()


def test_the_pdf_fetches_nothing_and_inlines_its_stylesheet(
    me: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr("backpath.web.care.handout.render_pdf", lambda h: seen.append(h) or b"%PDF")
    me.get(reverse("care:handout_pdf"))
    assert "<style>" in seen[0] and "body.handout" in seen[0]
    assert "<link" not in seen[0] and 'src="http' not in seen[0]
    assert "Download as PDF" not in seen[0]  # screen-only links stay off paper


def test_no_published_plan_or_no_program_gives_a_plain_404(patient: Patient) -> None:
    client = logged_in(patient.user)
    assert client.get(reverse("care:handout")).status_code == 404
    with_program(patient.episodes.get(), status=PlanVersion.Status.DRAFT)
    assert client.get(reverse("care:handout_pdf")).status_code == 404
    plan_without_program(patient.episodes.get())  # published, no program
    assert client.get(reverse("care:handout")).status_code == 404


def test_staff_cannot_open_the_patient_handout_url(clinician: object, me: Client) -> None:
    assert logged_in(clinician).get(reverse("care:handout")).status_code == 403  # type: ignore[arg-type]


def test_the_handout_can_be_made_for_any_version_without_a_request(patient: Patient) -> None:
    """The clinician's plan page can reuse it: the disclaimer comes without a request."""
    version = with_program(
        patient.episodes.get(), home_program(("dead_bug",)), status=PlanVersion.Status.DRAFT
    )
    page = html.unescape(handout_html(patient, version, inline_css=True))
    assert DISCLAIMER in page and "1. Dead bug" in page
