"""Discharge: an episode closes with its reason and outcome, becomes read-only, and its
letters are one-page PDFs with the clinic's name, each download in the audit trail."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from backpath import DISCLAIMER
from backpath.engine import assess_and_plan
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans import versions
from tests.web.builders import chronic_intake, logged_in, pdf_text


def pages(pdf: bytes) -> int:
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler's pdfinfo is not installed (make chromium installs it)")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(info.decode().split("Pages:")[1].split()[0])


def closed(client: Any, episode: Episode, **fields: str) -> Any:
    data = {"reason": "goals_met", "if_pain_returns": "Keep walking; call us if it lasts."}
    return client.post(reverse("patients:discharge", args=[episode.pk]), data | fields)


def test_discharge_closes_with_reason_outcome_and_read_only_record(
    clinician: User, episode: Episode
) -> None:
    client = logged_in(clinician)
    Episode.objects.filter(pk=episode.pk).update(opened=timezone.localdate() - dt.timedelta(60))
    DiaryEntry.objects.create(patient=episode.patient, episode=episode, kind="nrs", value=2,
                              on=timezone.localdate())  # fmt: skip
    page = client.get(reverse("patients:discharge", args=[episode.pk])).content.decode()
    assert "improved by at least the minimal important change" in page
    assert closed(client, episode).status_code == 302
    episode.refresh_from_db()
    assert episode.closed == timezone.localdate() and episode.discharge_reason == "goals_met"
    assert episode.discharged_by == clinician
    record = client.get(reverse("patients:detail", args=[episode.patient_id])).content.decode()
    assert "Discharged" in record and "read-only" in record and "Discharge summary" in record
    step = reverse("patients:intake", args=[episode.pk, "pain"])
    refused = client.post(step, {"nrs_now": "2"}, follow=True).content.decode()
    assert "read-only" in refused
    latest = versions.latest(episode)
    assert latest is not None
    with pytest.raises(versions.EditRefused, match="read-only"):
        versions.publish(episode, latest.number, "", clinician)
    again = closed(client, episode)
    assert again.status_code == 302  # a closed episode's discharge page goes back to the record


def test_a_bad_reason_is_named(clinician: User, episode: Episode) -> None:
    response = closed(logged_in(clinician), episode, reason="bored")
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert Episode.objects.get(pk=episode.pk).closed is None


def test_the_letters_are_one_page_each_with_the_clinic_and_are_audited(
    clinician: User, episode: Episode
) -> None:
    client = logged_in(clinician)
    Patient.objects.filter(pk=episode.patient_id).update(clinic_identifier="MRN-5")
    client.post(reverse("patients:referral_question", args=[episode.pk]),
                {"question": "Is an injection worth trying?"})  # fmt: skip
    referral = client.get(reverse("patients:letter", args=[episode.pk, "referral"]))
    assert referral.status_code == 200 and referral["Content-Type"] == "application/pdf"
    text = pdf_text(referral.content)
    assert episode.patient.clinic.name in text and "Is an injection worth trying?" in text
    assert "MRN-5" in text and "What has been tried" in text and pages(referral.content) == 1
    summary = client.get(reverse("patients:letter", args=[episode.pk, "summary"]))
    words = pdf_text(summary.content)
    assert "Warning signs" in words and "Who to contact" in words and pages(summary.content) == 1
    assert " ".join(DISCLAIMER.split()[:6]) in " ".join(words.split())
    before = client.get(reverse("patients:letter", args=[episode.pk, "discharge"]), follow=True)
    assert "Discharge the episode first" in before.content.decode()
    closed(client, episode)
    discharge = client.get(reverse("patients:letter", args=[episode.pk, "discharge"]))
    body = pdf_text(discharge.content)
    assert "Discharge summary" in body and "Goals met".lower() in body.lower()
    assert "Keep walking" in body and pages(discharge.content) == 1
    exported = AuditEvent.objects.filter(action="export", object_type="Episode")
    assert {e.detail for e in exported} == {"Referral letter PDF", "Patient summary PDF",
                                            "Discharge summary PDF"}  # fmt: skip


def test_another_clinic_cannot_discharge_or_read_letters(outsider: User, episode: Episode) -> None:
    client = logged_in(outsider)
    assert client.get(reverse("patients:discharge", args=[episode.pk])).status_code == 404
    assert client.get(reverse("patients:letter", args=[episode.pk, "summary"])).status_code == 404


def test_an_emergency_patient_summary_says_to_seek_care(clinician: User, patient: Patient) -> None:
    flags = chronic_intake()
    flags["red_flags"] = {**flags["red_flags"], "saddle_anaesthesia": True}
    episode = patient.episodes.get()
    versions.create_version(episode, assess_and_plan(flags).to_json_dict(), summary="t",
                            user=clinician)  # fmt: skip
    pdf = logged_in(clinician).get(reverse("patients:letter", args=[episode.pk, "summary"]))
    text = " ".join(pdf_text(pdf.content).split())
    assert "doctor's assessment before treatment" in text
    assert f"{timezone.localdate():%-d %B %Y}" in text  # dated in the letterhead


def test_the_patient_downloads_their_one_page_summary(patient: Patient) -> None:
    from tests.web.builders import with_program

    with_program(patient.episodes.get())
    patient.clinic.phone = "020 7946 0000"
    patient.clinic.save()
    me = logged_in(patient.user)
    assert "Your plan on one page" in me.get(reverse("care:my_plan")).content.decode()
    pdf = me.get(reverse("care:summary_pdf"))
    text = pdf_text(pdf.content)
    assert pdf.status_code == 200 and "Who to contact" in text
    assert "telephone 020 7946 0000" in text  # who to contact, and how
    assert "Bird-dog at home:" in text and "repetitions" in text  # this week, and how much
    assert "Warning signs" in text
    assert pages(pdf.content) == 1
