"""Email reminders of the day's home exercises, sent by ``backpath send-reminders``.

Run it from cron or a timer every 15 minutes or hourly. For each patient who turned reminders
on, once their local clock passes the hour they chose, one email lists the exercises due that
day. Never twice: before sending, the run claims the day by inserting a ``ReminderSent`` row,
and the database's unique constraint lets only one run (of any number at once) succeed.

- The send fails (SMTP down): the row is marked ``failed``; the next run claims it again by a
  conditional update (again only one run wins) and retries.
- The patient already answered every exercise due that day: nothing is sent (counted as
  ``already logged``), so a reminder never arrives after the work is done.
- A run dies between claiming and recording the result: the row stays ``sending`` and is not
  retried, because the email may have gone; at most once is the promise, and the
  ``backpath send-reminders`` summary counts these rows so someone can look.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from backpath.engine.program_models import HomeProgram, ProgramExercise
from backpath.errors import InvalidInput
from backpath.reports.reminder_text import reminder_email
from backpath.web import lookups
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import ExerciseLog
from backpath.web.links import base_url
from backpath.web.reminders.models import ReminderPreference, ReminderSent

log = logging.getLogger(__name__)

KIND = ReminderSent.Kind.PROGRAM
CATCH_UP_DAYS = 7

NOT_YET = "before the hour the patient chose"
NO_EMAIL = "no email address"
NO_LOGIN = "no active login"
NO_PROGRAM = "no published plan with a home program"
NOTHING_DUE = "no exercises due that day"
ALREADY_LOGGED = "already logged that day's exercises"
ALREADY_SENT = "already sent"
IN_FLIGHT = "claimed by another run, or interrupted while sending (not retried)"


@dataclass
class RunResult:
    """What one run did; ``skipped`` counts patients by the reason nothing was sent."""

    day: dt.date | None
    dry_run: bool
    sent: int = 0
    failed: int = 0
    would_send: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        verb = f"Would send {self.would_send}" if self.dry_run else f"Sent {self.sent}"
        text = f"{verb}, failed {self.failed}, skipped {sum(self.skipped.values())}"
        if self.skipped:
            reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
            text += f" ({reasons})"
        return text + (" (dry run: nothing sent or recorded)." if self.dry_run else ".")


def parse_day(text: str, now: dt.datetime) -> dt.date:
    """``--date``: YYYY-MM-DD, from a week back to tomorrow (time zones run up to a day
    ahead of the server's). Raises ``InvalidInput`` naming ``--date``."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("--date", f"must be a date as YYYY-MM-DD, got {text!r}") from None
    today = now.astimezone(dt.UTC).date()
    if not today - dt.timedelta(days=CATCH_UP_DAYS) <= day <= today + dt.timedelta(days=1):
        raise InvalidInput(
            "--date",
            f"must be from {today - dt.timedelta(days=CATCH_UP_DAYS)} to "
            f"{today + dt.timedelta(days=1)}, got {day}",
        )
    return day


def message(
    patient_name: str, clinic: str, program: HomeProgram, due: tuple[ProgramExercise, ...],
    day: dt.date, to: str, link_base: str,
) -> EmailMessage:  # fmt: skip
    """The reminder email (its words: ``reports.reminder_text.reminder_email``)."""
    subject, body = reminder_email(
        patient_name, clinic, program, due, day,
        today_url=link_base + reverse("care:today"),
        settings_url=link_base + reverse("reminders:settings"),
    )  # fmt: skip
    return EmailMessage(subject=subject, body=body, to=[to])


def _claim(pref: ReminderPreference, day: dt.date) -> tuple[ReminderSent | None, str]:
    """The row this run may send for, or None and why not. The database decides."""
    try:
        with transaction.atomic():
            row = ReminderSent.objects.create(
                patient=pref.patient, on=day, kind=KIND, email=pref.email
            )
            return row, ""
    except IntegrityError:
        pass
    row = ReminderSent.objects.get(patient=pref.patient, on=day, kind=KIND)
    if row.status == ReminderSent.Status.FAILED:
        won = ReminderSent.objects.filter(pk=row.pk, status=ReminderSent.Status.FAILED).update(
            status=ReminderSent.Status.SENDING, attempts=F("attempts") + 1, email=pref.email
        )
        if won:
            row.refresh_from_db()
            return row, ""
        row.refresh_from_db()
    return None, ALREADY_SENT if row.status == ReminderSent.Status.SENT else IN_FLIGHT


def _existing(pref: ReminderPreference, day: dt.date) -> str:
    """Dry run: the reason a real run would skip because of an earlier row, or ''."""
    row = ReminderSent.objects.filter(patient=pref.patient, on=day, kind=KIND).first()
    if row is None or row.status == ReminderSent.Status.FAILED:
        return ""
    return ALREADY_SENT if row.status == ReminderSent.Status.SENT else IN_FLIGHT


def _deliver(row: ReminderSent, email: EmailMessage, result: RunResult) -> None:
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # any backend error is this patient's failure, not the run's
        log.warning("reminder for patient %s on %s failed: %s", row.patient_id, row.on, exc)
        row.status, row.error = ReminderSent.Status.FAILED, f"{type(exc).__name__}: {exc}"[:500]
        row.save(update_fields=["status", "error"])
        result.failed += 1
        return
    row.status, row.error, row.sent_at = ReminderSent.Status.SENT, "", timezone.now()
    row.save(update_fields=["status", "error", "sent_at"])
    AuditEvent.objects.create(
        clinic_id=row.patient.clinic_id,
        action="export",
        object_type="ReminderSent",
        object_id=str(row.pk),
        patient=row.patient,
        path="backpath send-reminders",
        method="CLI",
        detail=f"exercise reminder email for {row.on.isoformat()}",
    )
    result.sent += 1


def _who_and_when(
    pref: ReminderPreference, now: dt.datetime, day: dt.date | None
) -> tuple[dt.date, str]:
    """The patient's local day, and why not to send (cheap checks, no plan read)."""
    local = now.astimezone(pref.zone())
    user = pref.patient.user
    reason = (
        NOT_YET if day is None and local.hour < pref.hour
        else NO_EMAIL if not pref.email
        else NO_LOGIN if user is None or not user.is_active
        else ""
    )  # fmt: skip
    return day or local.date(), reason


def _due(pref: ReminderPreference, on: dt.date) -> tuple[HomeProgram | None, tuple, str]:
    """The published home program and its exercises due ``on``, or why there are none.

    A patient who has already answered every exercise due that day (done, too painful or
    skipped) is not reminded: a reminder after the fact would be nagging."""
    episode = pref.patient.current_episode()
    version = lookups.published_version(episode)
    program = version.home_program if version else None
    if program is None:
        return None, (), NO_PROGRAM
    due = program.due_on(on)
    if not due:
        return program, due, NOTHING_DUE
    logged = set(
        ExerciseLog.objects.filter(episode=episode, on=on).values_list("exercise", flat=True)
    )
    return program, due, ALREADY_LOGGED if {e.exercise for e in due} <= logged else ""


def send_reminders(
    now: dt.datetime, day: dt.date | None = None, dry_run: bool = False, link_base: str = ""
) -> RunResult:
    """Send every reminder that is due at ``now`` (aware). ``day`` forces that local day for
    everyone, whatever the hour (to catch up). ``dry_run`` reads only: nothing is sent or
    recorded."""
    result = RunResult(day=day, dry_run=dry_run)
    link_base = link_base or base_url()
    prefs = ReminderPreference.objects.filter(enabled=True).select_related(
        "patient__user", "patient__clinic"
    )
    for pref in prefs.order_by("patient_id"):
        on, reason = _who_and_when(pref, now, day)
        program, due = None, ()
        if not reason:
            program, due, reason = _due(pref, on)
        if not reason and dry_run:
            reason = _existing(pref, on)
        if reason:
            result.skipped[reason] += 1
            continue
        if dry_run:
            result.would_send += 1
            continue
        assert program is not None
        patient = pref.patient
        email = message(str(patient), patient.clinic.name, program, due, on, pref.email, link_base)
        row, reason = _claim(pref, on)
        if row is None:
            result.skipped[reason] += 1
            continue
        _deliver(row, email, result)
    return result


def run_due(due: dt.datetime) -> str:
    """The periodic job (every 15 minutes, from the background worker): send what is due."""
    return send_reminders(due).summary()
