"""What a lead can ask of the audit trail: by patient (name or clinic number), user, action and
date range, newest first, one page or the whole selection as CSV, from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from backpath.web.audit.models import AuditEvent

ACTIONS: dict[str, str] = {
    "read": "Read a record", "create": "Created", "update": "Changed", "export": "Downloaded",
    "denied": "Denied access", "invite": "Invited", "activate": "Chose a password",
    "revoke": "Invitation revoked", "deactivate": "Login deactivated",
    "login_failed": "Failed sign-in", "lockout": "Sign-in paused",
    "mfa_on": "Two-factor on", "mfa_off": "Two-factor off", "mfa_failed": "Wrong two-factor code",
    "mfa_recovery": "Recovery code used", "mfa_codes": "New recovery codes",
    "mfa_reset": "Two-factor reset", "token_create": "API token created",
    "token_revoke": "API token revoked", "cds.patient-view": "EHR call (CDS Hooks)",
    "cds.feedback": "EHR feedback on cards", "cds.refused": "EHR call refused",
    "ehr.register": "EHR registered", "ehr.deactivate": "EHR deactivated",
    "smart_launch": "EHR launch (SMART)", "smart_refused": "EHR launch refused",
}  # fmt: skip
OBJECT_NAMES = {"PlanVersion": "Plan version", "DiaryEntry": "Diary entry", "User": "Login",
                "ApiToken": "API token", "ExerciseLog": "Exercise log",
                "EhrRegistration": "EHR registration",
                "SmartEhr": "EHR registration (SMART)"}  # fmt: skip
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    patient = forms.CharField(label="Patient (name or clinic number)", required=False,
                              max_length=100)  # fmt: skip
    user = forms.CharField(label="User", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False,
                               choices=[("", "Any action"), *ACTIONS.items()])  # fmt: skip
    start = forms.DateField(label="From", required=False, widget=ISO_DATE)
    end = forms.DateField(label="To", required=False, widget=ISO_DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end date must be on or after the start date.")
        return data


@dataclass(frozen=True)
class AuditFilters:
    patient: str = ""
    user: str = ""
    action: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_session(cls, data: dict[str, Any] | None) -> AuditFilters:
        data = data or {}
        start, end = data.get("start"), data.get("end")
        return cls(str(data.get("patient", "")), str(data.get("user", "")),
                   str(data.get("action", "")), dt.date.fromisoformat(start) if start else None,
                   dt.date.fromisoformat(end) if end else None)  # fmt: skip

    def to_session(self) -> dict[str, Any]:
        return {"patient": self.patient, "user": self.user, "action": self.action,
                "start": self.start.isoformat() if self.start else "",
                "end": self.end.isoformat() if self.end else ""}  # fmt: skip

    @property
    def active(self) -> bool:
        return any((self.patient, self.user, self.action, self.start, self.end))


def events(clinic_id: int, f: AuditFilters) -> QuerySet[AuditEvent]:
    rows = AuditEvent.objects.filter(clinic_id=clinic_id).select_related("patient")
    if f.patient:
        rows = rows.filter(Q(patient__family_name__icontains=f.patient)
                           | Q(patient__given_name__icontains=f.patient)
                           | Q(patient__clinic_identifier__icontains=f.patient))  # fmt: skip
    if f.user:
        rows = rows.filter(username__icontains=f.user)
    if f.action:
        rows = rows.filter(action=f.action)
    tz = timezone.get_current_timezone()
    if f.start:
        rows = rows.filter(at__gte=dt.datetime.combine(f.start, dt.time.min, tzinfo=tz))
    if f.end:
        rows = rows.filter(at__lt=dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min,
                                                      tzinfo=tz))  # fmt: skip
    return rows.order_by("-at", "-id")


def describe(event: AuditEvent) -> str:
    """The event's object in words: 'PlanVersion 12 of Ada Byrne', 'Patient Ada Byrne'."""
    kind = OBJECT_NAMES.get(event.object_type, event.object_type)
    patient = event.patient
    if event.object_type == "Patient" and patient is not None:
        return f"Patient {patient}"
    what = f"{kind} {event.object_id}".strip() if kind else (event.detail or "-")
    return f"{what} of {patient}" if patient is not None else what
