"""The logins pages: choosing a password from a one-time link, resetting a forgotten one, the
lead's Staff page, and a patient's invitation from their record.

Django's own views do the work of passwords (``PasswordResetConfirmView``,
``PasswordResetView``); ``lifecycle`` creates and changes logins, and audits each event.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.safestring import mark_safe
from django_ratelimit.decorators import ratelimit

from backpath import DISCLAIMER
from backpath.errors import Conflict, InvalidInput
from backpath.reports.account_text import expiry_words, letter_lines
from backpath.web import lookups
from backpath.web.accounts import backends
from backpath.web.accounts.access import lead_required, staff_required
from backpath.web.accounts.models import STAFF_ROLES, User
from backpath.web.audit.record import client_ip, record
from backpath.web.logins import lifecycle
from backpath.web.logins.forms import InviteStaffForm, PatientInviteForm, RoleForm
from backpath.web.logins.links import lifetime
from backpath.web.outbox import outbox

RESET_RATE = "5/h"
"""Reset requests per client address: enough for a person, too few to probe addresses."""


def actor(request: HttpRequest) -> lifecycle.Actor:
    return lifecycle.Actor(request.user, client_ip(request), request.path, request.method or "")


class Welcome(auth_views.PasswordResetConfirmView):
    """Choose a first password from an invitation link, then land signed in."""

    template_name = "logins/welcome.html"
    post_reset_login = True
    post_reset_login_backend = backends.PATH
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        lifecycle.record_activation(form.user, client_ip(self.request), self.request.path)
        messages.success(self.request, "Your password is set. Welcome to BackPath.")
        return response


class ResetConfirm(Welcome):
    template_name = "logins/reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super(Welcome, self).form_valid(form)
        lifecycle.record_reset(form.user, client_ip(self.request), self.request.path)
        messages.success(self.request, "Your new password is set.")
        return response


@ratelimit(key="ip", rate=RESET_RATE, method="POST", block=False)
def reset_request(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the address is known."""
    if getattr(request, "limited", False):
        return render(request, "logins/reset_limited.html", status=429)
    return auth_views.PasswordResetView.as_view(
        form_class=QueuedResetForm,
        template_name="logins/reset_request.html",
        email_template_name="logins/reset_email.txt",
        subject_template_name="logins/reset_subject.txt",
        success_url=reverse_lazy("logins:reset_sent"),
        extra_email_context={
            "hours": int(lifetime().total_seconds() // 3600),
            "disclaimer": DISCLAIMER,
        },
    )(request)


class QueuedResetForm(PasswordResetForm):
    """Django's reset form, whose email goes through the outbox (sent once, in the
    background) instead of being sent inside the request."""

    def send_mail(  # type: ignore[override]
        self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
        from_email: str | None, to_email: str, html_email_template_name: str | None = None,
    ) -> None:  # fmt: skip
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        outbox.queue(f"reset:{context['uid']}:{context['token']}", subject, body, [to_email])


def reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "logins/reset_sent.html")


# --- The lead's Staff page -------------------------------------------------------------------


def _staff(request: HttpRequest, user_id: int) -> User:
    """A staff member of the lead's own clinic; anyone else is answered as not found."""
    return get_object_or_404(
        User,
        pk=user_id,
        clinic=request.user.clinic,
        role__in=STAFF_ROLES,  # type: ignore[union-attr]
    )


@lead_required
def staff(request: HttpRequest) -> HttpResponse:
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, link = lifecycle.invite_staff(
                actor(request), data["email"], data["name"], data["role"]
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {user.email}; the link works until "
                f"{expiry_words(link.expires)}.",
            )
            return redirect("logins:staff")
    members = User.objects.filter(clinic=request.user.clinic, role__in=STAFF_ROLES).order_by(  # type: ignore[union-attr]
        "-is_active", "last_name", "first_name", "username"
    )
    record(request, "read", request.user.clinic, detail="staff page")  # type: ignore[union-attr]
    return render(request, "logins/staff.html", {"form": form, "members": members})


def _staff_action(request: HttpRequest, user_id: int, act: Any, done: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("logins:staff")
    member = _staff(request, user_id)
    try:
        act(member)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(name=member.get_full_name() or member.username))
    return redirect("logins:staff")


@lead_required
def staff_role(request: HttpRequest, user_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    return _staff_action(
        request, user_id, lambda m: lifecycle.change_role(actor(request), m, role),
        "{name}'s role is changed.",
    )  # fmt: skip


@lead_required
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _staff_action(
        request, user_id, lambda m: lifecycle.deactivate(actor(request), m),
        "{name} is deactivated: signed out everywhere, API tokens revoked.",
    )  # fmt: skip


@lead_required
def staff_resend(request: HttpRequest, user_id: int) -> HttpResponse:
    return _staff_action(
        request, user_id, lambda m: lifecycle.resend(actor(request), m),
        "A new invitation is sent to {name}; the earlier link no longer works.",
    )  # fmt: skip


@lead_required
def staff_reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    return _staff_action(
        request, user_id, lambda m: lifecycle.reset_second_factor(actor(request), m),
        "{name}'s two-factor sign-in is reset; they set up a new one at their next sign-in.",
    )  # fmt: skip


# --- A patient's invitation ------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (segno), to scan from the printed letter."""
    return segno.make(url, error="m").svg_inline(scale=4, title="QR code of the link")


@staff_required
def patient_invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    """POST: invite the patient by email (back to the record) or as a letter (the letter)."""
    patient = lookups.patient_for(request.user, patient_id)
    detail = reverse("patients:detail", args=[patient.pk])
    if request.method != "POST":
        return redirect(detail)
    form = PatientInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to give the patient their link: by email or letter.")
        return redirect(detail)
    by_email = form.cleaned_data["how"] == "email"
    try:
        user, link = lifecycle.invite_patient(actor(request), patient, by_email=by_email)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
        return redirect(detail)
    if by_email:
        messages.success(
            request,
            f"Invitation emailed to {patient.email}; it works until {expiry_words(link.expires)}.",
        )
        return redirect(detail)
    context = {
        "patient": patient,
        "link": link,
        "qr": mark_safe(_qr_svg(link.url)),  # segno escapes the title; the URL is ours
        "lines": letter_lines(
            name=str(patient),
            clinic=patient.clinic.name,
            username=user.username,
            expires=link.expires,
        ),
    }
    response = render(request, "logins/letter.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def patient_revoke(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = lookups.patient_for(request.user, patient_id)
    if request.method == "POST":
        if patient.user is None:
            raise Http404
        try:
            lifecycle.revoke_invitation(actor(request), patient.user, patient)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The invitation is revoked; its link no longer works.")
    return redirect("patients:detail", patient_id=patient.pk)
