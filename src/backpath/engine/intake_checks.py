"""Checks a clinician sees while an intake is still being filled in: which answers disagree
with each other, and whether the pregnancy question applies to this person.

The engine's triage names contradictions too, but only once the intake is complete and
assessed; these run on a partial intake document (a plain mapping, as the intake form stores
it, with the patient's age and sex from the record) so that the review step can name each
contradiction, in one sentence, with the step that fixes it, before anything is assessed.
Only answers that cannot both be true are reported; unusual but possible combinations are
left to the clinician.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from backpath.errors import InvalidInput
from backpath.instruments import odi, red_flags
from backpath.knowledge import load_knowledge

PREGNANCY_AGES = (12, 55)
"""Ages (inclusive) at which the intake asks whether the person is pregnant.

Pregnancy before 12 or after 55 is so rare outside assisted reproduction that asking every
patient would mostly add a question answered "no"; the range is kept wide on purpose, because
a question not asked when it mattered would hide the pregnancy precautions. (BackPath's
patients are 16 or older, so in practice the upper bound is the one that counts.)"""

SEVERE_ODI_BANDS = frozenset({"severe", "crippled", "bed_bound"})
"""Oswestry bands (from the instrument's data) that cannot sit with no pain at all."""


class Contradiction(BaseModel):
    """Two answers that cannot both be right, and the intake step where one is corrected."""

    model_config = ConfigDict(frozen=True)

    id: str
    sentence: str
    step: str


def pregnancy_question_applies(sex: str | None, age: int | None) -> bool:
    """True unless the record says male or the age is outside ``PREGNANCY_AGES``; an unknown
    sex or age asks (not asking is the unsafe mistake)."""
    if sex == "male":
        return False
    low, high = PREGNANCY_AGES
    return age is None or low <= age <= high


def pregnancy_recorded(intake: Mapping[str, Any]) -> bool:
    """True when either place the intake document can hold a pregnancy says so."""
    patient = intake.get("patient") or {}
    return patient.get("pregnant") is True or "pregnancy" in (intake.get("conditions") or [])


def contradictions(intake: Mapping[str, Any]) -> list[Contradiction]:
    """Every contradiction in ``intake`` (a possibly partial ``backpath.intake/1`` document),
    in the order of the intake's steps. Pure; missing parts are never a contradiction."""
    found: list[Contradiction] = []
    found += _pregnancy(intake)
    found += _no_pain_but_severe_disability(intake)
    found += _screen_against_conditions(intake)
    found += _treatment_longer_than_episode(intake)
    return found


def _pregnancy(intake: Mapping[str, Any]) -> list[Contradiction]:
    patient = intake.get("patient") or {}
    conditions = intake.get("conditions") or []
    if patient.get("sex") == "male" and pregnancy_recorded(intake):
        return [Contradiction(
            id="pregnancy_for_male", step="person",
            sentence="A pregnancy is recorded, but the patient record gives the sex as male: "
                     "correct the pregnancy answer or the patient's record.",
        )]  # fmt: skip
    if "pregnancy" in conditions and patient.get("pregnant") is False:
        return [Contradiction(
            id="pregnancy_tag_but_not_pregnant", step="person",
            sentence="The condition list says pregnant, but the pregnancy question was "
                     "answered no: answer it again.",
        )]  # fmt: skip
    return []


def _no_pain_but_severe_disability(intake: Mapping[str, Any]) -> list[Contradiction]:
    pain = intake.get("pain") or {}
    if pain.get("nrs_now") != 0 or pain.get("nrs_week_average") not in (None, 0):
        return []
    answers = (intake.get("questionnaires") or {}).get("odi")
    if answers is None:
        return []
    try:
        result = odi.score(answers)
    except InvalidInput:
        return []
    if not result.scored or result.band not in SEVERE_ODI_BANDS:
        return []
    return [Contradiction(
        id="no_pain_but_severe_disability", step="pain",
        sentence=f"Pain is recorded as 0 out of 10, but the Oswestry score is "
                 f"{result.percent:g}% ({result.band.replace('_', ' ')} disability): "
                 "check the pain scores.",
    )]  # fmt: skip


def _screen_against_conditions(intake: Mapping[str, Any]) -> list[Contradiction]:
    """A condition that counts as a red flag (the triage data) with that flag answered no."""
    flags = intake.get("red_flags") or {}
    conditions = intake.get("conditions") or []
    kb = load_knowledge()
    questions = {item.id: item.label for item in red_flags.definition().items}
    out = []
    for rule in kb.triage.condition_flags:
        if rule.condition in conditions and flags.get(rule.flag) is False:
            label = kb.conditions[rule.condition].label
            out.append(Contradiction(
                id=f"{rule.condition}_but_no_{rule.flag}", step="red_flags",
                sentence=f"The condition list says {label.lower()}, but the red-flag screen "
                         f"answers no to \"{questions[rule.flag]}\": check that answer.",
            ))  # fmt: skip
    return out


def _treatment_longer_than_episode(intake: Mapping[str, Any]) -> list[Contradiction]:
    """A treatment tried for this episode cannot have lasted longer than the episode."""
    duration = (intake.get("episode") or {}).get("duration_weeks")
    if not isinstance(duration, int | float):
        return []
    kb = load_knowledge()
    out = []
    for tried in intake.get("prior_treatments") or []:
        weeks = tried.get("weeks")
        if isinstance(weeks, int | float) and weeks > duration:
            card = kb.treatments.get(tried.get("treatment", ""))
            name = card.name if card is not None else str(tried.get("treatment"))
            out.append(Contradiction(
                id="treatment_longer_than_episode", step="episode",
                sentence=f"{name} was tried for {weeks:g} weeks, but this episode began "
                         f"{duration:g} weeks ago: correct the episode's length or the "
                         "prior treatment.",
            ))  # fmt: skip
    return out
