"""Review questionnaires on time: a week before each review date the patient is sent the
disability questionnaire they answered at the start and the PEG, and one reminder three days
later if nothing came back. Run hourly by the queue's scheduler (``BACKPATH_PERIODIC_JOBS``);
each step is idempotent (one review request per episode and review date, one reminder per
request), so a repeated run sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.web.patients.models import Episode
from backpath.web.questionnaires import sending
from backpath.web.questionnaires.models import QuestionnaireRequest

LEAD = dt.timedelta(days=7)
REMIND_AFTER = dt.timedelta(days=3)


def review_instruments(episode: Episode) -> list[str]:
    """The disability questionnaire of the baseline (Oswestry or Roland-Morris), and the PEG."""
    intake: Any = getattr(episode, "intake", None)
    answered = ((intake.data if intake else {}) or {}).get("questionnaires", {})
    disability = "rmdq" if "rmdq" in answered and "odi" not in answered else "odi"
    return [disability, "peg"]


def send_review_questionnaires(today: dt.date) -> int:
    already = QuestionnaireRequest.objects.filter(episode=OuterRef("pk"), purpose="review",
                                                  due=OuterRef("review_due"))  # fmt: skip
    episodes = (Episode.objects.filter(closed__isnull=True, plan_status="published",
                                       review_due__gte=today, review_due__lte=today + LEAD)
                .exclude(Exists(already))
                .select_related("patient__user", "patient__clinic", "intake"))  # fmt: skip
    sent = 0
    for episode in episodes:
        patient = episode.patient
        channel = "email" if patient.email else "app" if patient.user_id else None
        if channel is None:
            continue  # no way to reach the patient: the clinic sends a link by hand
        try:
            sending.send(episode, review_instruments(episode), "review", channel, None,
                         due=episode.review_due)  # fmt: skip
        except InvalidInput:
            continue
        sent += 1
    return sent


def send_reminders(now: dt.datetime) -> int:
    waiting = QuestionnaireRequest.objects.filter(
        completed__isnull=True, reminded__isnull=True, channel="email",
        created__lte=now - REMIND_AFTER, expires__gt=now,
    ).select_related("patient__clinic")  # fmt: skip
    count = 0
    for req in waiting:
        with transaction.atomic():
            claimed = QuestionnaireRequest.objects.filter(pk=req.pk, reminded__isnull=True,
                                                          completed__isnull=True)  # fmt: skip
            if not claimed.update(reminded=now):
                continue
            sending.email(req, sending.renew_link(req), reminder=True)
        count += 1
    return count


def run_due(due: dt.datetime | None = None) -> str:
    now = timezone.now()
    sent = send_review_questionnaires(timezone.localdate(now))
    reminded = send_reminders(now)
    return f"{sent} review questionnaire(s) sent, {reminded} reminder(s)"
