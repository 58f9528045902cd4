"""Answers coming back: scored by the instruments, stored once, and a red-flag answer raises
the same alert and gives the same immediate advice as the self-check and the diary.

``submit`` is the one writer of a request's answers. It runs in one transaction with the row
locked, so a link opened twice and sent twice stores the first answers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from backpath import instruments
from backpath.errors import Conflict
from backpath.exercises.advice import Advice, self_check_advice
from backpath.instruments import red_flags
from backpath.instruments.red_flags import RedFlagsResult
from backpath.web.alerts.notify import raise_alert
from backpath.web.audit.record import record_event
from backpath.web.questionnaires.models import QuestionnaireRequest

SCORED = ("startback", "odi", "rmdq", "peg")


@dataclass(frozen=True)
class Submitted:
    request: QuestionnaireRequest
    advice: Advice | None
    """What the person is told at once when a warning sign was answered yes."""
    alerted: bool


def _scores(answers: dict[str, Any], screen: RedFlagsResult | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SCORED:
        if key in answers:
            out[key] = instruments.score(key, answers[key]).to_dict()
    if screen is not None:
        out["red_flags"] = {"disposition": screen.disposition,
                            "present": list(screen.flags_present)}  # fmt: skip
    return out


def submit(request: HttpRequest | None, req: QuestionnaireRequest,
           answers: dict[str, Any]) -> Submitted:  # fmt: skip
    """Store ``answers`` (``{instrument: answers}``, already checked by the form), scored."""
    # Scored before any write: InvalidInput for an answer off a scale.
    screen = red_flags.score(answers["red_flags"]) if "red_flags" in answers else None
    scores = _scores(answers, screen)
    with transaction.atomic():
        locked = QuestionnaireRequest.objects.select_for_update().get(pk=req.pk)
        if locked.completed is not None:
            raise Conflict("these questionnaires were answered already: the link works once")
        locked.answers, locked.scores = answers, scores
        locked.completed, locked.token_hash = timezone.now(), None  # the link is used up
        locked.save(update_fields=["answers", "scores", "completed", "token_hash"])
        user = getattr(request, "user", None)
        record_event(user if getattr(user, "is_authenticated", False) else None, "update",
                     locked, patient=locked.patient, clinic=locked.patient.clinic,
                     detail="questionnaires returned by the patient")  # fmt: skip
        advice, alerted = _red_flags(request, locked, screen)
    return Submitted(locked, advice, alerted)


def _red_flags(request: HttpRequest | None, req: QuestionnaireRequest,
               screen: RedFlagsResult | None) -> tuple[Advice | None, bool]:  # fmt: skip
    if screen is None or screen.disposition == "proceed":
        return None, False
    advice = self_check_advice(screen.disposition, screen.public_actions)
    labels = {item.id: item.label for item in red_flags.definition().items}
    signs = [labels[f] for f in screen.flags_present]
    alert = raise_alert(
        request, clinic=req.patient.clinic, patient=req.patient, origin="questionnaire",
        advice=advice, reported="Warning signs answered yes in a questionnaire: "
        + "; ".join(signs), key=f"questionnaire:{req.pk}:red_flags",
    )  # fmt: skip
    return advice, alert is not None
