"""The patient's secret calendar link: made, stopped and looked up here only.

The secret is 32 random bytes (``secrets.token_urlsafe``) in the URL; the database keeps its
SHA-256, as the questionnaire links do, so a copy of the database opens no calendar. A stopped
link and one that never existed are looked up the same way and answered the same (404).
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from backpath.web.patients.models import Patient
from backpath.web.reminders.models import CalendarFeed


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def live_feed(patient: Patient) -> CalendarFeed | None:
    return patient.calendar_feeds.filter(revoked__isnull=True).first()


def stop(patient: Patient) -> CalendarFeed | None:
    """Stop the patient's live link, if any; the one stopped is returned (for the audit)."""
    feed = live_feed(patient)
    if feed is not None:
        feed.revoked = timezone.now()
        feed.save(update_fields=["revoked"])
    return feed


def make_new(patient: Patient) -> tuple[CalendarFeed, str]:
    """A new live link (any old one stops working); returns it with its secret, which is
    never stored and so can be shown only now."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        stop(patient)
        feed = CalendarFeed.objects.create(patient=patient, token_hash=digest(secret))
    return feed, secret


def patient_for(secret: str) -> Patient | None:
    """The patient of a live link, or None for a stopped, unknown or malformed one."""
    if not secret or len(secret) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("patient__clinic")
        .filter(token_hash=digest(secret), revoked__isnull=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used=timezone.now())
    return feed.patient
