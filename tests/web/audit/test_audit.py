"""Every read and write of patient data is recorded and the clinic lead can see it."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient
from tests.web.builders import logged_in


def test_reading_a_patient_is_recorded_with_who_what_and_where(
    clinician: User, patient: Patient
) -> None:
    logged_in(clinician).get(reverse("patients:detail", args=[patient.pk]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="read", patient=patient)
    assert event.username == "clinician" and event.clinic == clinician.clinic
    assert event.ip == "10.1.2.3" and event.path.endswith(f"/patients/{patient.pk}/")


def test_the_lead_sees_the_clinics_audit_trail(
    lead: User, clinician: User, patient: Patient
) -> None:
    logged_in(clinician).get(reverse("patients:detail", args=[patient.pk]))
    page = logged_in(lead).get(reverse("audit:log"))
    assert page.status_code == 200
    assert b"clinician" in page.content and b"Byrne" in page.content


def test_the_lead_does_not_see_another_clinics_events(lead: User, outsider: User) -> None:
    logged_in(outsider).get(reverse("patients:list"))
    page = logged_in(lead).get(reverse("audit:log"))
    assert b"outsider" not in page.content


def test_a_clinician_cannot_open_the_audit_trail(clinician: User) -> None:
    assert logged_in(clinician).get(reverse("audit:log")).status_code == 403


def test_denied_access_to_a_patients_record_is_audited_with_the_caller(
    outsider: User, patient: Patient
) -> None:
    client = logged_in(outsider)
    assert client.get(f"/patients/{patient.pk}/", REMOTE_ADDR="192.0.2.44").status_code == 404
    assert client.get(f"/api/v1/patients/{patient.pk}").status_code == 404
    denied = AuditEvent.objects.filter(action="denied", user=outsider)
    assert denied.count() == 2
    assert denied.filter(ip="192.0.2.44", path=f"/patients/{patient.pk}/").exists()
    assert not AuditEvent.objects.filter(action="denied", user__isnull=True).exists()


def test_the_lead_filters_by_patient_user_action_and_dates(
    lead: User, clinician: User, patient: Patient
) -> None:
    other = Patient.objects.create(clinic=patient.clinic, given_name="Zara", family_name="Quill",
                             birth_year=1990, clinic_identifier="MRN-9")  # fmt: skip
    reader = logged_in(clinician)
    reader.get(reverse("patients:detail", args=[patient.pk]))
    reader.get(reverse("patients:detail", args=[other.pk]))
    AuditEvent.objects.create(clinic=patient.clinic, username="old", action="read",
                              object_type="Patient", patient=other)  # fmt: skip
    AuditEvent.objects.filter(username="old").update(at=timezone.now() - dt.timedelta(days=40))
    client = logged_in(lead)
    response = client.post(reverse("audit:log"), {"patient": "mrn-9", "action": "read"})
    assert response.status_code == 302 and "mrn" not in response["Location"].lower()
    page = client.get(reverse("audit:log")).content.decode()
    assert "Patient Zara Quill" in page and "Ada Byrne" not in page and "2 events" in page
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    client.post(reverse("audit:log"), {"patient": "quill", "start": week_ago})
    assert "1 event " in client.get(reverse("audit:log")).content.decode()
    client.post(reverse("audit:log"), {"clear": "1"})
    assert "Ada Byrne" in client.get(reverse("audit:log")).content.decode()


def test_bad_dates_are_named_and_nothing_is_lost(lead: User) -> None:
    client = logged_in(lead)
    response = client.post(reverse("audit:log"), {"user": "maya", "start": "2026-05-01",
                                                  "end": "2026-04-01"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in page and 'value="maya"' in page


def test_the_csv_holds_the_filtered_rows_and_runs_no_formula(
    lead: User, clinician: User, patient: Patient
) -> None:
    Patient.objects.filter(pk=patient.pk).update(clinic_identifier='=HYPERLINK("http://x")')
    logged_in(clinician).get(reverse("patients:detail", args=[patient.pk]))
    client = logged_in(lead)
    client.post(reverse("audit:log"), {"action": "read", "user": "clinician"})
    response = client.get(reverse("audit:csv"))
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.splitlines()
    assert lines[0].startswith("# BackPath supports") and lines[1].startswith("when (UTC),user")
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))[1:]
    assert rows and all(r[1] == "clinician" and r[2] == "read" for r in rows)
    assert '\'=HYPERLINK("http://x")' in {r[5] for r in rows}  # shown as text
    assert not any(cell.startswith("=") for r in rows for cell in r)
    assert AuditEvent.objects.filter(action="export", username="lead").exists()
    assert logged_in(clinician).get(reverse("audit:csv")).status_code == 403
