"""The lead's form to register an EHR; the rules themselves are ``registration.register``."""

from __future__ import annotations

from django import forms


class RegisterEhrForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="What your clinic calls this EHR, e.g. Epic."
    )
    iss = forms.CharField(
        label="Issuer (iss)", max_length=255,
        help_text="The issuer URI the EHR puts in the iss claim of the JWTs it signs.",
    )  # fmt: skip
    jwks_url = forms.CharField(
        label="JWK Set URL", max_length=500, required=False,
        help_text="Where the EHR publishes its public keys (https, on this server's allow-list).",
    )  # fmt: skip
    jwks = forms.CharField(
        label="Or the JWK Set itself", required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text='Public keys only, as JSON: {"keys": [...]}; RSA or EC P-384 signing keys, '
        "each with a kid.",
    )  # fmt: skip
    tenant = forms.CharField(
        label="Tenant (optional)", max_length=255, required=False,
        help_text="The tenant claim the EHR sends for your clinic, if it sends one.",
    )  # fmt: skip


class RecordNumberSystemForm(forms.Form):
    record_number_system = forms.CharField(
        label="Record-number system", max_length=255, required=False,
        help_text="The identifier system your EHR writes with your clinic's record numbers "
        "(Patient.identifier.system), e.g. urn:oid:2.16.840.1.113883.19.5. Leave it blank "
        "for BackPath's own.",
    )  # fmt: skip
