"""Every read and write of patient data is recorded and the clinic lead can see it."""

from __future__ import annotations

from django.urls import reverse

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
