"""The one writer of alerts: raise one for a report that needs a person, email the
responsible clinician, and acknowledge it. Pages and the API call these functions only.

- ``raise_alert`` does nothing for advice of urgency ``none``. The same report (``key``)
  raises one alert, however often it is saved again.
- The email goes to the responsible clinician (``responsible_clinicians``) through Django's
  mail framework (``EMAIL_BACKEND``; files by default). A failed send never loses the alert:
  the problem is stored on it and shown with it.
- The email names the urgency and what was reported, and links to the record; it leaves out
  the patient's name, which the link shows after sign-in.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from backpath.exercises.advice import Advice, severity
from backpath.reports.alert_text import alert_email
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.alerts.models import Alert
from backpath.web.audit.record import record
from backpath.web.links import base_url
from backpath.web.outbox import outbox
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanChange, PlanVersion

log = logging.getLogger(__name__)
NO_ADDRESS = "no email address for the responsible clinician or the clinic lead"


def _staff_of(clinic_id: int, user: Any) -> bool:
    return (
        user is not None
        and user.is_active
        and user.is_clinic_staff
        and user.clinic_id == clinic_id
        and bool(user.email)
    )


def responsible_clinicians(clinic: Clinic, patient: Patient | None) -> list[User]:
    """Who is emailed: the clinician who published the plan the patient follows, else the one
    who added the patient, else the clinic's leads. Only active staff of the clinic with an
    email address count."""
    if patient is not None:
        publish = (
            PlanChange.objects.filter(
                action=PlanChange.Action.PUBLISH,
                version__episode__patient=patient,
                version__status=PlanVersion.Status.PUBLISHED,
            )
            .select_related("created_by")
            .order_by("-created", "-id")
            .first()
        )
        for user in (publish.created_by if publish else None, patient.created_by):
            if _staff_of(clinic.pk, user):
                return [user]  # type: ignore[list-item]
    leads = User.objects.filter(clinic=clinic, role=Role.LEAD, is_active=True).exclude(email="")
    return list(leads.order_by("id"))


def _link(alert: Alert) -> str:
    if alert.patient_id is not None:
        return base_url() + reverse("patients:detail", args=[alert.patient_id])
    return base_url() + reverse("selfcheck:queue")


def _email(alert: Alert) -> None:
    """Queue the alert's email (sent once by the background worker); a failed send comes back
    through ``outbox.email_failed`` and is shown on the alert."""
    recipients = responsible_clinicians(alert.clinic, alert.patient)
    addresses = [u.email for u in recipients]
    if not addresses:
        alert.email_problem = NO_ADDRESS
        alert.save(update_fields=["email_problem"])
        return
    alert.emailed_to = ", ".join(addresses)[:500]
    alert.save(update_fields=["emailed_to"])
    subject, body = alert_email(
        urgency=alert.get_urgency_display(), origin=alert.get_origin_display(),
        patient_id=alert.patient_id, reported=alert.reported, advice=alert.advice,
        clinic=alert.clinic.name, link=_link(alert),
    )  # fmt: skip
    outbox.queue(f"{ALERT_KEY}{alert.pk}", subject, body, addresses)


ALERT_KEY = "alert:"


@receiver(outbox.email_failed)
def _email_failed(sender: Any, key: str, error: str, **_: Any) -> None:
    if key.startswith(ALERT_KEY) and key.removeprefix(ALERT_KEY).isdigit():
        log.warning("alert %s: email failed: %s", key, error)
        Alert.objects.filter(pk=int(key.removeprefix(ALERT_KEY))).update(
            email_problem=f"email failed: {error}"[:300]
        )


def raise_alert(
    request: HttpRequest | None,
    *,
    clinic: Clinic,
    origin: str,
    advice: Advice,
    reported: str,
    patient: Patient | None = None,
    key: str = "",
    consultation_request: Any = None,
) -> Alert | None:
    """The alert for a report (None when its advice needs nobody), audited and emailed.

    ``reported`` says in plain words what the person reported; ``key`` identifies the report
    (e.g. ``exercise_log:12:red_flag_symptoms``) so that saving it again raises no second
    alert.
    """
    if not advice.raises_alert:
        return None
    fields = {
        "patient": patient,
        "consultation_request": consultation_request,
        "origin": origin,
        "urgency": advice.urgency,
        "severity": severity(advice.urgency),
        "reported": reported[:500],
        "advice": advice.text,
    }
    try:
        with transaction.atomic():
            if key:
                alert, created = Alert.objects.get_or_create(
                    clinic=clinic, key=key, defaults=fields
                )
            else:
                alert, created = Alert.objects.create(clinic=clinic, **fields), True
    except IntegrityError:  # the same report saved twice at once: the other one raised it
        return Alert.objects.get(clinic=clinic, key=key)
    if created:
        if request is not None:
            record(request, "create", alert, patient=patient,
                   detail=f"alert {alert.urgency} from {origin}")  # fmt: skip
        _email(alert)
    return alert


def acknowledge(request: HttpRequest, alert: Alert) -> bool:
    """Mark ``alert`` as seen by the requesting clinician, audited. False when it already was."""
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=request.user
        )
        if updated:
            record(request, "update", alert, patient=alert.patient,
                   detail=f"alert acknowledged ({alert.urgency}, {alert.origin})")  # fmt: skip
    alert.refresh_from_db()
    return bool(updated)
