"""Forms of the logins pages; each field's error names what is allowed."""

from __future__ import annotations

from django import forms

STAFF_ROLE_CHOICES = [("clinician", "Clinician"), ("lead", "Clinic lead")]


class InviteStaffForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=STAFF_ROLE_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=STAFF_ROLE_CHOICES)


class PatientInviteForm(forms.Form):
    how = forms.ChoiceField(
        choices=[("email", "By email"), ("letter", "As a printed letter with a QR code")],
        label="How to give the patient their link",
    )
