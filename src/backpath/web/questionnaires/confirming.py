"""A clinician confirms returned answers: they then flow into the intake (questionnaires sent
for the intake) or into the diary the review reads (review and discharge), with their origin
kept: the request records who answered when, and who confirmed.

Until confirmed, the answers are shown beside the intake and on the worklist as new results,
never used by a plan.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.web.diary import records
from backpath.web.patients.models import Intake
from backpath.web.questionnaires.models import QuestionnaireRequest

DIARY_KINDS = {"odi": "odi", "rmdq": "rmdq", "peg": "peg"}
HEADLINE = {"odi": "percent", "rmdq": "total", "peg": "mean"}
INTAKE_QUESTIONNAIRES = ("startback", "odi", "rmdq", "peg")


def confirm(request: HttpRequest, req: QuestionnaireRequest, user: Any) -> QuestionnaireRequest:
    """Take the answers into the record; ``InvalidInput('questionnaires', ...)`` when there is
    nothing to confirm."""
    with transaction.atomic():
        locked = QuestionnaireRequest.objects.select_for_update().get(pk=req.pk)
        if locked.completed is None or locked.confirmed is not None:
            raise InvalidInput("questionnaires", "only returned answers not yet confirmed can be")
        if locked.purpose == QuestionnaireRequest.Purpose.INTAKE:
            _into_intake(locked)
        else:
            _into_diary(request, locked, user)
        locked.confirmed, locked.confirmed_by = timezone.now(), user
        locked.save(update_fields=["confirmed", "confirmed_by"])
    return locked


def _into_intake(req: QuestionnaireRequest) -> None:
    intake, _ = Intake.objects.select_for_update().get_or_create(episode=req.episode)
    data = dict(intake.data or {})
    steps = list(intake.completed_steps or [])
    answers = req.answers
    found = {k: answers[k] for k in INTAKE_QUESTIONNAIRES if k in answers}
    if found:
        data["questionnaires"] = {**data.get("questionnaires", {}), **found}
        steps.append("questionnaires")
    if "red_flags" in answers:  # a yes from either the clinic or the patient stays a yes
        before = data.get("red_flags", {})
        data["red_flags"] = {f: bool(v) or bool(before.get(f)) for f, v in
                             answers["red_flags"].items()}  # fmt: skip
        steps.append("red_flags")
    if "basics" in answers:
        basics = answers["basics"]
        data["episode"] = {**data.get("episode", {}), "duration_weeks": basics["duration_weeks"],
                           "leg_pain": basics["leg_pain"]}  # fmt: skip
        data["pain"] = {**data.get("pain", {}), "nrs_now": basics["nrs_now"]}
    intake.data = data
    intake.completed_steps = list(dict.fromkeys(steps))
    intake.save(update_fields=["data", "completed_steps", "updated"])


def _into_diary(request: HttpRequest, req: QuestionnaireRequest, user: Any) -> None:
    on = timezone.localdate(req.completed)
    for key, kind in DIARY_KINDS.items():
        if key not in req.scores:
            continue
        value = req.scores[key].get(HEADLINE[key])
        if value is None:
            continue
        records.add_diary_entry(
            request, req.patient, req.episode, user,
            {"kind": kind, "on": on, "value": value, "answers": req.answers[key],
             "note": f"Answered by the patient on {on:%-d %b %Y} ({req.get_purpose_display()})."},
            via="questionnaire ",
        )  # fmt: skip
