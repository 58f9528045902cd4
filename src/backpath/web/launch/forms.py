"""The lead's form to register an EHR; each field is checked by ``registration``'s rule."""

from __future__ import annotations

from collections.abc import Callable

from django import forms

from backpath.errors import InvalidInput
from backpath.web.launch import registration
from backpath.web.launch.models import DEFAULT_SCOPES


def _checked(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message[:1].upper() + exc.message[1:]) from None


class SmartEhrForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="What your clinic calls this EHR."
    )
    iss = forms.CharField(
        label="FHIR base URL (iss)", max_length=500,
        help_text="The EHR's FHIR base URL exactly as it sends it at launch, e.g. "
        "https://ehr.example.org/fhir/R4. BackPath contacts only the EHRs registered here.",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )  # fmt: skip
    client_id = forms.CharField(label="Client id", max_length=255,
                                help_text="The client id the EHR gave BackPath.")  # fmt: skip
    client_secret = forms.CharField(
        label="Client secret", max_length=1000, strip=True,
        help_text="The secret the EHR gave BackPath. It is stored encrypted and never shown "
        "again.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )  # fmt: skip
    scopes = forms.CharField(
        label="Scopes", max_length=500, initial=DEFAULT_SCOPES, required=False,
        help_text="Space-separated; must include launch. Leave the default unless the EHR's "
        "team asks for other scopes.",
    )  # fmt: skip

    def clean_iss(self) -> str:
        return _checked(registration.check_iss, self.cleaned_data["iss"])

    def clean_scopes(self) -> str:
        return _checked(registration.check_scopes, self.cleaned_data.get("scopes") or "")
