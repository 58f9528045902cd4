"""What the API accepts and returns, as Ninja schemas so that OpenAPI documents each of them.

Intake and plan JSON are the stable contract (``backpath.contract``): they are documented by
linking the contract's own JSON Schemas into the OpenAPI components (``link_contract``), not
by a copy that could drift.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt, WithJsonSchema

from backpath import DISCLAIMER, contract
from backpath.engine.program_models import ExerciseOutcome, HomeProgram
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Intake

CONTRACT_MARK = "x-backpath-contract"
IntakeJson = Annotated[Any, WithJsonSchema({CONTRACT_MARK: "intake"})]
"""Any JSON in: ``backpath.engine.parse_intake`` checks it and names the bad field."""
PlanJson = Annotated[dict[str, Any], WithJsonSchema({CONTRACT_MARK: "plan"})]


def link_contract(openapi: dict[str, Any]) -> dict[str, Any]:
    """Replace each contract mark by a ``$ref`` to the contract schema, added to components.

    (Pydantic cannot emit a ``$ref`` to a schema it does not know, hence the mark.)
    """
    used: set[str] = set()

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            if CONTRACT_MARK in node:
                used.add(node[CONTRACT_MARK])
                return {"$ref": f"#/components/schemas/{node[CONTRACT_MARK].title()}"}
            return {k: visit(v) for k, v in node.items()}
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    for key in ("paths", "components"):
        openapi[key] = visit(openapi.get(key, {}))
    schemas = openapi["components"].setdefault("schemas", {})
    for name in sorted(used):
        title = name.title()
        raw = {k: v for k, v in contract.schema(name).items() if k not in ("$schema", "$id")}
        text = json.dumps(raw).replace('"#/$defs/', f'"#/components/schemas/{title}.')
        linked = json.loads(text)
        for def_name, definition in linked.pop("$defs", {}).items():
            schemas[f"{title}.{def_name}"] = definition
        schemas[title] = linked
    return openapi


class EpisodeOut(Schema):
    id: int
    opened: dt.date
    closed: dt.date | None
    title: str
    intake_completed: bool

    @staticmethod
    def resolve_intake_completed(obj: Episode) -> bool:
        try:
            return obj.intake.completed is not None
        except Intake.DoesNotExist:
            return False


class PatientSummary(Schema):
    id: int
    given_name: str
    family_name: str
    birth_year: int
    sex: str


class PatientOut(PatientSummary):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    created: dt.datetime
    has_login: bool
    current_episode: EpisodeOut | None

    @staticmethod
    def resolve_has_login(obj: Any) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_current_episode(obj: Any) -> Episode | None:
        return obj.current_episode()


class PatientPage(Schema):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    count: int = Field(description="Patients in total (all pages).")
    limit: int
    offset: int
    items: list[PatientSummary]


class Page(Schema):
    limit: int = Field(50, ge=1, le=200, description="Patients per page, 1 to 200.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many to skip (up to 10^9).")


class PlanVersionOut(Schema):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    patient_id: int
    episode_id: int
    number: int = Field(description="Version number; each change makes a new version.")
    status: str = Field(description="draft, published or superseded.")
    profile: str = Field(description="Guideline profile: consensus, acp, nice or who.")
    created: dt.datetime
    published: dt.datetime | None
    change_summary: str | None = Field(description="What changed (clinic staff only).")
    plan: PlanJson


class AdviceOut(Schema):
    """What the person is told at once about what they reported."""

    urgency: Literal["emergency", "urgent", "contact_clinic", "none"] = Field(
        description="emergency: go to an emergency department now; urgent: see a doctor the "
        "same day; contact_clinic: contact the clinic; none: nothing needs a call."
    )
    text: str = Field(description="The advice in the patient's words.")


class DiaryIn(Schema):
    """One diary entry. Which fields a kind needs:

    - ``nrs``: ``value``, pain now, an integer 0 to 10.
    - ``peg``: ``answers``, 3 integers 0 to 10; the score is their mean.
    - ``odi``: ``answers``, 10 sections 0 to 5 (null for one left blank); the score is a percent.
    - ``rmdq``: ``answers``, 24 items 0 (no) or 1 (yes); the score is the count of yes.
    - ``session``: ``treatment`` and ``attended``, optional ``note``.
    - ``adverse_event``: ``note`` (what happened) and ``serious``, optional ``treatment`` and
      ``warning_signs`` (stored in ``answers``).

    Scores are computed by BackPath's instruments, never taken from the caller.
    """

    model_config = ConfigDict(extra="forbid")

    kind: DiaryEntry.Kind
    on: dt.date | None = Field(
        None, description="The day (YYYY-MM-DD), today or up to a year back; default today."
    )
    value: StrictInt | None = Field(None, description="nrs only: pain now, 0 to 10.")
    answers: list[StrictInt | None] | None = Field(
        None, description="peg, odi, rmdq: the answers in questionnaire order."
    )
    treatment: str = Field("", max_length=60, description="A treatment id of the contract.")
    attended: StrictBool | None = Field(None, description="session only: did it take place?")
    serious: StrictBool = Field(False, description="adverse_event: was it serious?")
    warning_signs: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="adverse_event: the warning signs the person has now, by stop-rule id "
        "(general rules with an urgency, e.g. red_flag_symptoms, fall_or_injury).",
    )
    note: str = Field("", max_length=1000)


class DiaryEntryOut(Schema):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    id: int
    patient_id: int
    episode_id: int | None
    on: dt.date
    kind: str
    value: float | None = Field(description="The computed score, for questionnaires.")
    answers: list[Any]
    treatment: str
    attended: bool | None
    serious: bool
    note: str
    created: dt.datetime
    advice: AdviceOut | None = Field(
        None, description="adverse_event: what the person is told at once (null otherwise)."
    )


class ExerciseOut(Schema):
    """One exercise of the library (the full card is in ``backpath exercise ID``)."""

    id: str
    name: str
    summary: str
    targets: list[str] = Field(
        description="mobility, motor_control, strength, endurance, aerobic, nerve_mobility."
    )
    phases: list[str] = Field(description="acute, subacute, chronic.")
    position: str = Field(description="The start position.")
    equipment: list[str] = Field(description="Empty: none needed.")
    starting_dose: str = Field(description="The starting dose in plain words.")


class ExerciseList(Schema):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    count: int
    items: list[ExerciseOut]


class ExerciseLogIn(Schema):
    """One exercise of the published home program, and how it went on a day.

    Logging the same exercise on the same day again changes the answer (one row per day).
    """

    model_config = ConfigDict(extra="forbid")

    on: dt.date | None = Field(
        None, description="The day (YYYY-MM-DD): today or up to 6 days back; default today."
    )
    exercise: str = Field(max_length=60, description="A library id of the program, e.g. bird_dog.")
    outcome: ExerciseOutcome = Field(description="done, too_painful or skipped.")
    stop_rule: str | None = Field(
        None,
        max_length=60,
        description="too_painful only: the id of the exercise's stop rule that applied "
        "(see the program's stop_rules), or null / 'none' when none did.",
    )


class ExerciseLogRow(Schema):
    id: int
    patient_id: int
    episode_id: int
    plan_version: int | None = Field(description="The published plan version logged against.")
    on: dt.date
    exercise: str
    outcome: str
    stop_rule: str | None
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_plan_version(obj: Any) -> int | None:
        return obj.version.number if obj.version_id else None

    @staticmethod
    def resolve_stop_rule(obj: Any) -> str | None:
        return obj.stop_rule or None


class ExerciseLogOut(ExerciseLogRow):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    advice: AdviceOut = Field(
        description="What the person is told at once about this answer; any urgency but none "
        "also raised an alert at the clinic."
    )


class AlertOut(Schema):
    id: int
    patient_id: int | None = Field(description="Null for a self-check visitor.")
    origin: str = Field(description="exercise_log, adverse_event or selfcheck.")
    urgency: str = Field(description="emergency, urgent or contact_clinic.")
    reported: str = Field(description="What was reported, in plain words.")
    advice: str = Field(description="The advice the person was shown.")
    created: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None = Field(description="The username, once acknowledged.")

    @staticmethod
    def resolve_acknowledged_by(obj: Any) -> str | None:
        return obj.acknowledged_by.username if obj.acknowledged_by_id else None


class AlertList(Schema):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    count: int
    items: list[AlertOut] = Field(description="Open alerts, most urgent first, then oldest.")


class AlertAcknowledged(AlertOut):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )


class DueExerciseOut(Schema):
    exercise: str
    name: str
    dose: str = Field(description="The dose in plain words.")
    outcome: str | None = Field(description="What was logged for it that day, if anything.")


class ProgramOut(Schema):
    disclaimer: str = Field(
        DISCLAIMER, description="BackPath supports, and does not replace, a clinician's judgement."
    )
    patient_id: int
    episode_id: int
    plan_version: int = Field(description="The published plan version the program belongs to.")
    on: dt.date = Field(description="The day `due` is for (default today).")
    home_program: HomeProgram = Field(description="The plan JSON's home_program field.")
    due: list[DueExerciseOut] = Field(description="The exercises due that day.")
    logs: list[ExerciseLogRow] = Field(description="The log of the 14 days up to that day.")
