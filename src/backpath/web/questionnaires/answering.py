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


def _scores(answers: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SCORED:
        if key in answers:
            out[key] = instruments.score(key, answers[key]).to_dict()
    if "red_flags" in answers:
        result = red_flags.score(answers["red_flags"])
        out["red_flags"] = {"disposition": result.disposition,
                            "present": list(result.flags_present)}  # fmt: skip
    return out


def submit(request: HttpRequest | None, req: QuestionnaireRequest,
           answers: dict[str, Any]) -> Submitted:  # fmt: skip
    """Store ``answers`` (``{instrument: answers}``, already checked by the form), scored."""
    scores = _scores(answers)  # InvalidInput for an answer off a scale, before any write
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
        advice, alerted = _red_flags(request, locked)
    return Submitted(locked, advice, alerted)


def _red_flags(request: HttpRequest | None,
               req: QuestionnaireRequest) -> tuple[Advice | None, bool]:  # fmt: skip
    flags = req.answers.get("red_flags")
    if not flags:
        return None, False
    result = red_flags.score(flags)
    if result.disposition == "proceed":
        return None, False
    advice = self_check_advice(result.disposition, [r.public_action for r in result.reasons])
    signs = [item.label for item in red_flags.definition().items if flags.get(item.id)]
    alert = raise_alert(
        request, clinic=req.patient.clinic, patient=req.patient, origin="questionnaire",
        advice=advice, reported="Warning signs answered yes in a questionnaire: "
        + "; ".join(signs), key=f"questionnaire:{req.pk}:red_flags",
    )  # fmt: skip
    return advice, alert is not None
