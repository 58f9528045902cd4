"""A patient's identifiers in other systems (an EHR's record number, a national number),
added and removed by staff on the patient record page. CDS Hooks calls and SMART launches
find the patient by these, never by BackPath's own key (``backpath.web.patients.identity``),
and the FHIR Patient carries them. Each change is audited.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from backpath.web import lookups
from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.patients import identity
from backpath.web.patients.models import Patient, PatientIdentifier

SYSTEM = re.compile(r"(?:https?://[^\s/|]+(?:/[^\s|]*)?|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s|]+)")
TAKEN = "Another patient of this clinic already has this identifier."


class IdentifierForm(forms.Form):
    system = forms.CharField(
        max_length=255, label="System",
        help_text="The URI of the system that gave the identifier, as the EHR writes it, e.g. "
        "http://hospital.example/mrn or urn:oid:2.16.840.1.113883.19.5.",
    )  # fmt: skip
    value = forms.CharField(max_length=255, label="Identifier")

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_system(self) -> str:
        system = str(self.cleaned_data["system"]).strip()
        if not SYSTEM.fullmatch(system):
            raise forms.ValidationError(
                "Give the system as a URI: http(s)://... or urn:...:..., without spaces or |."
            )
        if system == identity.record_number_system(self.patient.clinic):
            raise forms.ValidationError(
                "This is the clinic's own record-number system: that number is the patient's "
                "clinic number."
            )
        return system

    def clean_value(self) -> str:
        return str(self.cleaned_data["value"]).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        system, value = data.get("system"), data.get("value")
        if system and value:
            held = PatientIdentifier.objects.filter(
                clinic_id=self.patient.clinic_id, system=system, value=value
            ).first()
            if held is not None:
                mine = held.patient_id == self.patient.pk
                raise forms.ValidationError(
                    "The patient already has this identifier." if mine else TAKEN
                )
        return data


def _first_error(form: forms.Form) -> str:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else None
    return f"{label}: {errors[0]}" if label else str(errors[0])


@staff_required
def identifier_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = lookups.patient_for(request.user, patient_id)
    if request.method != "POST":
        return redirect("patients:detail", patient_id=patient.pk)
    form = IdentifierForm(request.POST, patient=patient)
    if not form.is_valid():
        messages.error(request, f"The identifier was not added. {_first_error(form)}")
        return redirect("patients:detail", patient_id=patient.pk)
    try:
        with transaction.atomic():
            added = PatientIdentifier.objects.create(
                clinic_id=patient.clinic_id, patient=patient,
                system=form.cleaned_data["system"], value=form.cleaned_data["value"],
                source=f"added by {request.user.get_username()}"[:120],  # type: ignore[union-attr]
            )  # fmt: skip
            record(request, "create", added, patient=patient, detail=f"identifier {added}")
    except IntegrityError:  # the same identifier given to another patient a moment ago
        messages.error(request, f"The identifier was not added. {TAKEN}")
    else:
        messages.success(request, f"Identifier {added.value} ({added.system}) added.")
    return redirect("patients:detail", patient_id=patient.pk)


@staff_required
def identifier_remove(request: HttpRequest, patient_id: int, identifier_id: int) -> HttpResponse:
    patient = lookups.patient_for(request.user, patient_id)
    if request.method != "POST":
        return redirect("patients:detail", patient_id=patient.pk)
    found = patient.identifiers.filter(pk=identifier_id).first()
    if found is None:
        raise Http404("No such identifier.")
    with transaction.atomic():
        record(request, "delete", found, patient=patient, detail=f"identifier {found}")
        found.delete()
    messages.success(request, f"Identifier {found.value} ({found.system}) removed.")
    return redirect("patients:detail", patient_id=patient.pk)
