"""Two-factor sign-in with an authenticator app (TOTP) and recovery codes, on django-otp's
devices: set up (scan the QR code, confirm one code, keep the recovery codes), enter a code
after the password, turn it off (patients, and staff where it is not required), and new
recovery codes. Each change is in the audit trail."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from backpath.web.audit.record import record
from backpath.web.logins.gate import after_second_factor

RECOVERY_CODES = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=16,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip


def _required(user: Any) -> bool:
    return bool(user.is_clinic_staff and getattr(settings, "BACKPATH_STAFF_MFA", False))


def _recovery_codes(user: Any) -> list[str]:
    """A fresh set of recovery codes (the old ones stop working)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return redirect("logins:mfa")
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False,
                                                 defaults={"name": "authenticator"})  # fmt: skip
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save()
            codes = _recovery_codes(user)
            otp_login(request, device)
            record(request, "mfa_on", user, detail="two-factor sign-in turned on")
            page = {"codes": codes, "first": True, "next": after_second_factor(request)}
            return render(request, "logins/mfa_codes.html", page)
        form.add_error("code", "That code is not right; check the app's clock and try again.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code to scan")
    key = device.config_url.split("secret=")[1].split("&")[0]
    context = {"form": form, "qr": mark_safe(qr), "key": key, "required": _required(user)}
    return render(request, "logins/mfa_setup.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].strip())
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                record(request, "mfa_recovery", user, detail="signed in with a recovery code")
            return redirect(after_second_factor(request))
        record(request, "mfa_failed", user, detail="wrong two-factor code")
        form.add_error("code", "That code is not right. Try the code the app shows now.")
    return render(request, "logins/mfa_verify.html", {"form": form})


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    on = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if request.method == "POST" and on:
        if request.POST.get("action") == "codes":
            codes = _recovery_codes(user)
            record(request, "mfa_codes", user, detail="new recovery codes")
            return render(request, "logins/mfa_codes.html", {"codes": codes, "first": False})
        if request.POST.get("action") == "off" and not _required(user):
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            record(request, "mfa_off", user, detail="two-factor sign-in turned off")
            return redirect("logins:mfa")
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    context = {"on": on, "required": _required(user), "codes_left": left}
    return render(request, "logins/mfa_manage.html", context)
