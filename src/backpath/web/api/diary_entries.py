"""A diary entry posted to the API, checked per kind and scored by ``backpath.instruments``.

Each rule rejects with ``InvalidInput(field, message)`` naming the body field, so the API
answers 422 with what is allowed. Nothing here decides care: the score is the instrument's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backpath import contract
from backpath.errors import InvalidInput
from backpath.exercises.advice import advice_for
from backpath.instruments import score
from backpath.web.api.schemas import DiaryIn
from backpath.web.diary.forms import OLDEST_DAYS

SCORED_KINDS = ("nrs", "peg", "odi", "rmdq")
"""Diary kinds that are questionnaires: stored with their result's ``headline``."""


# Fields a kind does not use: sending one is a mistake worth naming (a score, say, that
# could disagree with the answers).
NOT_FOR: dict[str, tuple[str, ...]] = {
    "nrs": ("answers", "treatment", "attended", "serious", "warning_signs"),
    "peg": ("value", "treatment", "attended", "serious", "warning_signs"),
    "odi": ("value", "treatment", "attended", "serious", "warning_signs"),
    "rmdq": ("value", "treatment", "attended", "serious", "warning_signs"),
    "session": ("value", "answers", "serious", "warning_signs"),
    "adverse_event": ("value", "answers", "attended"),
}


def _day(entry: DiaryIn, today: dt.date) -> dt.date:
    day = entry.on or today
    if day > today:
        raise InvalidInput("on", f"cannot be in the future (today is {today.isoformat()})")
    if (today - day).days > OLDEST_DAYS:
        raise InvalidInput("on", "must be within the past year")
    return day


def _treatment(entry: DiaryIn, required: bool) -> str:
    if not entry.treatment and not required:
        return ""
    if entry.treatment not in contract.treatment_ids():
        raise InvalidInput(
            "treatment",
            f"must be a treatment id of the contract, e.g. physical_therapy; got "
            f"{entry.treatment!r}",
        )
    return entry.treatment


def _scored(kind: str, entry: DiaryIn) -> dict[str, Any]:
    field = "value" if kind == "nrs" else "answers"
    given = entry.value if kind == "nrs" else entry.answers
    if given is None:
        raise InvalidInput(field, f"is required for a {kind} entry")
    try:
        result = score(kind, given)
    except InvalidInput as exc:
        # The instrument names its own input ("peg[1]"); the caller sent "answers[1]".
        raise InvalidInput(field + exc.field.removeprefix(kind), exc.message) from None
    if result.headline is None:
        raise InvalidInput("answers", f"too many sections left blank to score: {result.reason}")
    answers = [given] if kind == "nrs" else list(given)  # type: ignore[arg-type]
    return {"value": result.headline, "answers": answers}


def entry_fields(entry: DiaryIn, today: dt.date) -> dict[str, Any]:
    """The ``DiaryEntry`` fields for ``entry`` (kind, on, value, answers, ...).

    Raises ``InvalidInput`` naming the body field: a field that the kind does not use, a
    missing one, a date in the future or over a year back, an unknown treatment, answers
    the instrument rejects.
    """
    kind = entry.kind.value
    for name in NOT_FOR[kind]:
        value = getattr(entry, name)
        if name in entry.model_fields_set and value not in (None, "", []) and value is not False:
            raise InvalidInput(name, f"is not used for a {kind} entry; leave it out")
    fields: dict[str, Any] = {"kind": kind, "on": _day(entry, today), "note": entry.note.strip()}
    if kind in SCORED_KINDS:
        fields |= _scored(kind, entry)
    elif kind == "session":
        if entry.attended is None:
            raise InvalidInput("attended", "is required for a session entry: true or false")
        fields |= {"treatment": _treatment(entry, required=True), "attended": entry.attended}
    else:
        if not fields["note"]:
            raise InvalidInput("note", "is required for an adverse event: say what happened")
        fields |= {
            "treatment": _treatment(entry, required=False),
            "serious": entry.serious,
            "answers": _warning_signs(entry.warning_signs),
        }
    return fields


def _warning_signs(signs: list[str]) -> list[str]:
    """The warning signs, each once; one the library does not offer is refused naming
    ``warning_signs[i]``."""
    advice_for(warning_signs=signs)  # raises InvalidInput for an unknown sign
    return list(dict.fromkeys(signs))
