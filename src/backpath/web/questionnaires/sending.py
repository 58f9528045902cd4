"""Sending questionnaires: the one writer of a new ``QuestionnaireRequest``.

The one-time link carries a random secret (``secrets``); only its SHA-256 is stored, so the
table never holds a working link. The email goes through the outbox, written in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.reports.questionnaire_text import questionnaire_email
from backpath.web.links import base_url
from backpath.web.outbox import outbox
from backpath.web.patients.models import Episode
from backpath.web.questionnaires.models import QuestionnaireRequest
from backpath.web.questionnaires.offered import SENDABLE, allowed


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_for(secret: str) -> str:
    return base_url() + reverse("questionnaires:fill", args=[secret])


def send(episode: Episode, instruments: list[str], purpose: str, channel: str, by: Any,
         due: dt.date | None = None) -> tuple[QuestionnaireRequest, str]:  # fmt: skip
    """Create the request and, for ``email``, queue its email. Returns it with its link.

    Raises ``InvalidInput`` naming ``instruments``, ``channel`` or ``purpose``.
    """
    patient = episode.patient
    unknown = [i for i in instruments if i not in SENDABLE]
    chosen = allowed(instruments)
    if unknown or not chosen:
        raise InvalidInput("instruments", "choose one or more of: " + ", ".join(SENDABLE))
    if purpose not in QuestionnaireRequest.Purpose.values:
        raise InvalidInput("purpose", "one of: " + ", ".join(QuestionnaireRequest.Purpose.values))
    if channel == "email" and not patient.email:
        raise InvalidInput("channel", "the patient has no email address: add one, or give a link")
    if channel == "app" and patient.user is None:
        raise InvalidInput("channel", "the patient has no login yet: invite them, or give a link")
    if channel not in QuestionnaireRequest.Channel.values:
        raise InvalidInput("channel", "one of: " + ", ".join(QuestionnaireRequest.Channel.values))
    days = int(getattr(settings, "BACKPATH_QUESTIONNAIRE_DAYS", 14))
    expires = timezone.now() + dt.timedelta(days=days)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        request = QuestionnaireRequest.objects.create(
            patient=patient, episode=episode, purpose=purpose, instruments=chosen,
            channel=channel, due=due or timezone.localdate() + dt.timedelta(days=7),
            token_hash=digest(secret), expires=expires, created_by=by,
        )  # fmt: skip
        if channel == "email":
            email(request, link_for(secret))
    return request, link_for(secret)


def email(request: QuestionnaireRequest, link: str, reminder: bool = False) -> None:
    patient = request.patient
    subject, body = questionnaire_email(
        name=patient.given_name, clinic=str(patient.clinic), link=link,
        expires=request.expires, count=len(request.instruments), reminder=reminder,
    )  # fmt: skip
    key = f"questionnaires:{request.pk}:{'reminder' if reminder else 'first'}"
    outbox.queue(key, subject, body, [patient.email])


def renew_link(request: QuestionnaireRequest) -> str:
    """A fresh secret for a request not yet answered (the old link stops working)."""
    secret = secrets.token_urlsafe(32)
    QuestionnaireRequest.objects.filter(pk=request.pk, completed__isnull=True).update(
        token_hash=digest(secret)
    )
    request.token_hash = digest(secret)
    return link_for(secret)
