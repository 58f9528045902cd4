"""How people get, keep and lose a BackPath login: the one place that creates clinics and
accounts, sends invitations, changes roles and deactivates.

- A clinic starts with ``create_clinic``: the clinic and its first lead, who has no password
  until they choose one from the emailed one-time link.
- A lead invites staff (``invite_staff``); a clinician or lead invites a patient
  (``invite_patient``). Every invitation replaces the one before (its link stops working).
- ``deactivate`` ends a user's sessions and revokes their API tokens at once; their records
  and audit trail stay.
- Every event is written to the audit trail, with the actor and the address it came from.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from backpath.errors import Conflict, InvalidInput
from backpath.reports.account_text import invitation_email
from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.record import record_event
from backpath.web.logins.links import OneTimeLink, reissue, welcome_link
from backpath.web.outbox import outbox
from backpath.web.patients.models import Patient

STAFF = ("clinician", "lead")
"""The roles a lead may give (``accounts.models.STAFF_ROLES`` as plain values)."""


@dataclass(frozen=True)
class Actor:
    """Who did it and from where (None for a command run on the server)."""

    user: Any = None
    ip: str | None = None
    path: str = ""
    method: str = ""


SERVER = Actor(path="backpath createclinic", method="CLI")


def _audit(actor: Actor, action: str, obj: Any, detail: str, **extra: Any) -> None:
    record_event(
        actor.user, action, obj, detail=detail, path=actor.path, method=actor.method,
        ip=actor.ip, **extra,
    )  # fmt: skip


def _email(address: str) -> str:
    email = address.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput("email", "must be an email address, e.g. name@clinic.example")
    return email


def _split(name: str) -> tuple[str, str]:
    given, _, family = " ".join(name.split()).partition(" ")
    return given[:150], family[:150]


def _new_user(email: str, name: str, role: str, clinic: Clinic) -> User:
    if User.objects.filter(username__iexact=email).exists():
        raise InvalidInput("email", f"{email} already has a BackPath login")
    given, family = _split(name)
    user = User(
        username=email, email=email, first_name=given, last_name=family, role=role, clinic=clinic
    )
    user.set_unusable_password()
    user.save()
    return user


def send(user: User, link: OneTimeLink, clinic: Clinic, by: Any = None) -> bool:
    """Email the invitation when the user has an address; False when there is none."""
    if not user.email:
        return False
    subject, body = invitation_email(
        name=user.get_full_name(), clinic=clinic.name, role=user.role, link=link.url,
        expires=link.expires, by=by.get_full_name() if by is not None else "",
    )  # fmt: skip
    outbox.queue(f"invitation:{user.pk}:{link.expires.isoformat()}", subject, body, [user.email])
    return True


PHONE = re.compile(r"\+?[0-9 ()-]{5,30}")


def create_clinic(name: str, lead_email: str, lead_name: str = "",
                  phone: str = "") -> tuple[User, OneTimeLink]:  # fmt: skip
    """A new clinic and its first lead; the lead is emailed a link to choose a password.
    ``phone`` is shown to the public beside urgent and emergency advice."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("name", "give the clinic's name")
    phone = " ".join(phone.split())
    if phone and not PHONE.fullmatch(phone):
        raise InvalidInput("phone", "digits, spaces and + ( ) - only, e.g. +44 20 7946 0000")
    email = _email(lead_email)
    with transaction.atomic():
        if Clinic.objects.filter(name__iexact=clean).exists():
            raise InvalidInput("name", f"a clinic called {clean!r} already exists")
        clinic = Clinic.objects.create(name=clean, phone=phone)
        lead = _new_user(email, lead_name, "lead", clinic)
        link = welcome_link(lead)
        _audit(SERVER, "create", clinic, f"clinic created with lead {email}", clinic=clinic)
        _audit(SERVER, "invite", lead, f"lead invited: {email}", clinic=clinic)
    send(lead, link, clinic)
    return lead, link


def invite_staff(actor: Actor, email: str, name: str, role: str) -> tuple[User, OneTimeLink]:
    """A lead invites a clinician or another lead to their clinic."""
    if role not in STAFF:
        raise InvalidInput("role", "must be clinician or lead")
    clinic = actor.user.clinic
    with transaction.atomic():
        user = _new_user(_email(email), name, role, clinic)
        link = welcome_link(user)
        _audit(actor, "invite", user, f"{role} invited: {user.email}")
    send(user, link, clinic, by=actor.user)
    return user, link


def resend(actor: Actor, user: User) -> OneTimeLink:
    """A new invitation for someone who has not chosen a password; the old link dies."""
    if user.has_usable_password():
        raise Conflict(f"{user.get_full_name() or user.username} has already chosen a password.")
    if not user.is_active:
        raise Conflict("This login is deactivated.")
    reissue(user)
    link = welcome_link(user)
    _audit(actor, "invite", user, "invitation sent again")
    send(user, link, user.clinic, by=actor.user)
    return link


def _patient_username(patient: Patient) -> str:
    if patient.email:
        return patient.email.strip().lower()
    while True:  # a sign-in name a patient without email can type from the letter
        candidate = f"bp-{secrets.randbelow(10**6):06d}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def invite_patient(actor: Actor, patient: Patient, *, by_email: bool) -> tuple[User, OneTimeLink]:
    """The patient's login: created on the first invitation, re-issued on later ones.

    Raises:
        Conflict: the patient already has an active login.
        InvalidInput: an email invitation for a patient without an email address.
    """
    if by_email and not patient.email:
        raise InvalidInput("email", "the patient has no email address on file; add one first")
    with transaction.atomic():
        user = patient.user
        if user is not None and user.is_active and user.has_usable_password():
            raise Conflict(f"{patient} already has an active login.")
        if user is None:
            username = _patient_username(patient)
            if User.objects.filter(username__iexact=username).exists():
                raise InvalidInput("email", f"{username} already has a BackPath login")
            user = User(
                username=username, email=patient.email, first_name=patient.given_name[:150],
                last_name=patient.family_name[:150], role="patient", clinic=patient.clinic,
            )  # fmt: skip
            user.set_unusable_password()
            user.save()
            Patient.objects.filter(pk=patient.pk).update(user=user)
            patient.user = user
        else:
            user.is_active = True
            user.save(update_fields=["is_active"])
            reissue(user)
        link = welcome_link(user)
        how = "by email" if by_email else "as a printed letter"
        _audit(actor, "invite", user, f"patient invited {how}", patient=patient)
    if by_email:
        send(user, link, patient.clinic, by=actor.user)
    return user, link


def revoke_invitation(actor: Actor, user: User, patient: Patient | None = None) -> None:
    """The link sent stops working (a patient's or staff member's who has not signed in)."""
    if user.has_usable_password():
        raise Conflict("This login is already active; deactivate it instead.")
    reissue(user)
    _audit(actor, "revoke", user, "invitation revoked", patient=patient)


def change_role(actor: Actor, user: User, role: str) -> None:
    if role not in STAFF:
        raise InvalidInput("role", "must be clinician or lead")
    if user.pk == actor.user.pk and role != "lead":
        raise Conflict("A lead cannot take away their own lead role; ask another lead.")
    old = user.role
    User.objects.filter(pk=user.pk).update(role=role)
    _audit(actor, "update", user, f"role changed from {old} to {role}")


def deactivate(actor: Actor, user: User) -> None:
    """No more sign-in, sessions or API tokens for ``user``, from this moment."""
    if user.pk == getattr(actor.user, "pk", None):
        raise Conflict("You cannot deactivate your own login; ask another lead.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.api_tokens.filter(revoked__isnull=True).update(revoked=timezone.now())
        end_sessions(user)
        _audit(actor, "deactivate", user, f"login deactivated: {user.username}")


def end_sessions(user: User) -> int:
    """Delete every stored session of ``user`` through the session engine, so that a copy
    kept in the sessions' cache goes too (with sessions in the cache alone the inactive flag
    signs them out: Django's backend refuses an inactive user on the next request)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            store.delete(session.session_key)
            ended += 1
    return ended


def record_activation(user: User, ip: str | None, path: str) -> None:
    _audit(Actor(user, ip, path, "POST"), "activate", user, "password chosen from the invitation")


def record_reset(user: User, ip: str | None, path: str) -> None:
    _audit(Actor(user, ip, path, "POST"), "reset", user, "password reset from an emailed link")


def reset_second_factor(actor: Actor, user: User) -> None:
    """A lead clears a staff member's authenticator and recovery codes (a lost phone): they
    set up a new one at their next sign-in, where the clinic requires it."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user.pk == getattr(actor.user, "pk", None):
        raise Conflict("Change your own two-factor sign-in from the Two-factor page.")
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if not removed:
        raise Conflict(f"{user.get_full_name() or user.username} has no two-factor sign-in set up.")
    end_sessions(user)
    _audit(actor, "mfa_reset", user, "two-factor sign-in reset by the lead")
