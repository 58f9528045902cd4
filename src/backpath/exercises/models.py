"""Schema of the home-exercise library.

Every file under ``exercises/data`` is validated against these models when loaded. Like the
knowledge base, models are frozen and reject unknown keys, so a typo in a clinician's edit
fails loudly. The prescription engine relies on the field names and meanings documented here:

- ``dose`` is the starting dose; ``limits`` bound every dose anyone may prescribe (the starting
  dose, each progression or regression step, and the goal all lie within them).
- ``progression`` and ``regression`` are ordered: step 1 is the first change from the starting
  dose. A step whose ``dose`` is ``None`` keeps the dose and changes only the movement.
- ``avoid`` tags rule an exercise out for a person carrying that condition tag; ``caution``
  tags keep it in with the precaution shown.
- ``stop_rules`` are ids of :class:`StopRule` entries in ``stop_rules.yaml``; the general
  rules apply to every exercise whether it lists them or not.
- A stop rule's ``urgency`` says how soon the person must act when they report it
  (:data:`URGENCIES`, least to most severe); ``advice`` is what they are told at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from backpath.knowledge.models import Phase, SourceIds, Strict, Text

EXERCISE_IDS: tuple[str, ...] = (
    "walking",
    "knee_rolls",
    "pelvic_tilt",
    "knee_to_chest",
    "child_pose",
    "cat_camel",
    "prone_on_elbows",
    "prone_press_up",
    "standing_back_bend",
    "directional_preference",
    "drawing_in",
    "abdominal_brace",
    "heel_slides",
    "dead_bug",
    "bird_dog",
    "mcgill_curl_up",
    "glute_bridge",
    "side_plank_modified",
    "front_plank_modified",
    "clamshell",
    "sit_to_stand",
    "wall_sit",
    "hip_hinge",
    "resistance_programme",
    "prone_back_extension",
    "hamstring_stretch",
    "hip_flexor_stretch",
    "piriformis_stretch",
    "sciatic_nerve_slider",
    "aquatic_exercise",
    "stationary_cycling",
    "pilates_mat",
    "yoga_home_practice",
    "tai_chi",
)
"""Every exercise of the library, in the order of the evidence table (and of ``load_exercises``)."""

Target = Literal["mobility", "motor_control", "strength", "endurance", "aerobic", "nerve_mobility"]
EvidenceClass = Literal["MCE", "MDT", "PIL", "GEN", "STR", "YOG", "TC", "NEU"]
Position = Literal[
    "lying_on_back",
    "lying_face_down",
    "side_lying",
    "all_fours",
    "kneeling",
    "sitting",
    "standing",
    "in_water",
]
HomeTreatment = Literal["physical_therapy", "general_exercise", "yoga", "pilates", "tai_chi"]
"""Plan treatments that carry a home programme; an exercise lists those that may include it."""
LegPainEffect = Literal["helps", "neutral", "caution"]
Equipment = Literal[
    "chair", "wall", "strap", "band", "dowel", "weights", "pool", "exercise_bike", "mat"
]
DoseKind = Literal["reps", "hold", "duration"]
DoseNumber = Literal["sets", "reps", "hold_seconds", "minutes", "per_day", "per_week"]
StopRuleId = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
Urgency = Literal["none", "contact_clinic", "urgent", "emergency"]
URGENCIES: tuple[Urgency, ...] = ("none", "contact_clinic", "urgent", "emergency")
"""Every urgency, least to most severe: nothing to do, contact the clinic, see a doctor the
same day, go to an emergency department now."""


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _no_duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"'{value}' is listed twice")
        seen.add(value)
    return values


class Frequency(Strict):
    """How often: exactly one of ``per_day`` (1-12) or ``per_week`` (1-7)."""

    per_day: int | None = Field(default=None, ge=1, le=12)
    per_week: int | None = Field(default=None, ge=1, le=7)

    @model_validator(mode="after")
    def _exactly_one(self) -> Frequency:
        if (self.per_day is None) == (self.per_week is None):
            raise ValueError("give exactly one of per_day or per_week")
        return self

    def numbers(self) -> dict[DoseNumber, int]:
        if self.per_day is not None:
            return {"per_day": self.per_day}
        assert self.per_week is not None  # guaranteed by the validator
        return {"per_week": self.per_week}

    def text(self) -> str:
        """Plain words: 'twice a day', '3 times a week', 'every day' (7 a week)."""
        if self.per_day is not None:
            return f"{_times(self.per_day)} a day"
        if self.per_week == 7:
            return "every day"
        return f"{_times(self.per_week or 0)} a week"


class Dose(Strict):
    """One prescribable dose.

    ``reps``: ``reps`` repetitions per set. ``hold``: ``reps`` holds of ``hold_seconds`` each.
    ``duration``: ``minutes`` of continuous activity (``sets`` > 1 means bouts). ``per_side``
    means the count applies to each side. Only the fields of the kind may be given.
    """

    kind: DoseKind
    sets: int = Field(default=1, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    minutes: int | None = Field(default=None, ge=1, le=240)
    per_side: bool = False
    frequency: Frequency

    @model_validator(mode="after")
    def _fields_match_kind(self) -> Dose:
        needs: dict[DoseKind, tuple[str, ...]] = {
            "reps": ("reps",),
            "hold": ("reps", "hold_seconds"),
            "duration": ("minutes",),
        }
        for name in ("reps", "hold_seconds", "minutes"):
            given = getattr(self, name) is not None
            if name in needs[self.kind] and not given:
                raise ValueError(f"a {self.kind} dose needs {name}")
            if name not in needs[self.kind] and given:
                raise ValueError(f"a {self.kind} dose takes no {name}")
        return self

    def numbers(self) -> dict[DoseNumber, int]:
        """Every numeric field this dose uses, by name (the names of :class:`Limits`)."""
        out: dict[DoseNumber, int] = {"sets": self.sets}
        if self.reps is not None:
            out["reps"] = self.reps
        if self.hold_seconds is not None:
            out["hold_seconds"] = self.hold_seconds
        if self.minutes is not None:
            out["minutes"] = self.minutes
        out.update(self.frequency.numbers())
        return out

    def text(self) -> str:
        """Plain words, e.g. '2 sets of 10 per side, 3 times a day', 'hold 10 s, 10 times,
        twice a day', '20 minutes, 3 times a week'."""
        side = " per side" if self.per_side else ""
        if self.kind == "reps":
            reps = self.reps or 0
            if self.sets > 1:
                body = f"{self.sets} sets of {reps}{side}"
            else:
                body = f"{reps} repetition{'s' if reps != 1 else ''}{side}"
        elif self.kind == "hold":
            reps = self.reps or 0
            if self.sets > 1:
                count = f", {self.sets} sets of {reps}"
            else:
                count = f", {reps} times" if reps > 1 else ""
            body = f"hold {self.hold_seconds} s{count}{side}"
        else:
            minutes = self.minutes or 0
            unit = f"{minutes} minute{'s' if minutes != 1 else ''}"
            body = (f"{self.sets} bouts of {unit}" if self.sets > 1 else unit) + side
        return f"{body}, {self.frequency.text()}"


class Bounds(Strict):
    """Inclusive range ``min``..``max`` for one dose number."""

    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.min <= value <= self.max


class Limits(Strict):
    """Bounds that any prescribed dose must stay within, one per dose number used.

    ``sets`` is always used; the others are needed when any dose of the exercise uses them.
    """

    sets: Bounds
    reps: Bounds | None = None
    hold_seconds: Bounds | None = None
    minutes: Bounds | None = None
    per_day: Bounds | None = None
    per_week: Bounds | None = None

    def violations(self, dose: Dose) -> list[tuple[DoseNumber, str]]:
        """(field, message) for each number of ``dose`` without limits or outside them."""
        problems: list[tuple[DoseNumber, str]] = []
        for name, value in dose.numbers().items():
            bounds: Bounds | None = getattr(self, name)
            if bounds is None:
                problems.append((name, f"no limits are given for {name}"))
            elif value not in bounds:
                problems.append((name, f"{value} is outside the limits {bounds.min}-{bounds.max}"))
        return problems

    def allows(self, dose: Dose) -> bool:
        return not self.violations(dose)


class Step(Strict):
    """One progression or regression step: what changes, and the dose (``None`` = same dose)."""

    instruction: Text
    dose: Dose | None = None
    sources: SourceIds


class Instructions(Strict):
    start_position: Text
    movement: list[Text] = Field(min_length=1, description="Ordered short steps.")
    breathing: Text
    common_mistakes: list[Text] = Field(min_length=1)


class Avoid(Strict):
    """Never prescribe this exercise to a person carrying ``tag`` (a contract condition tag)."""

    tag: str
    reason: Text
    sources: SourceIds


class Caution(Strict):
    """Prescribe to a person carrying ``tag`` only with ``precaution`` shown."""

    tag: str
    precaution: Text
    sources: SourceIds


class Goal(Strict):
    """A target to build up to: ``minutes`` per session, ``per_week`` sessions, by ``by_week``."""

    text: Text
    minutes: int = Field(ge=1, le=240)
    per_week: int = Field(ge=1, le=7)
    by_week: int = Field(ge=1, le=104)
    sources: SourceIds


class StopRule(Strict):
    """When to stop an exercise; ``general`` rules apply to every exercise."""

    id: StopRuleId
    general: bool
    urgency: Urgency = Field(description="How soon the person must act when they report it.")
    patient_text: Text = Field(description="Shown to the patient, in plain words.")
    advice: Text = Field(description="What the person is told to do at once on reporting it.")
    warning_sign: bool = Field(
        default=True,
        description="A general rule with an urgency is offered as a warning sign with a diary "
        "side effect, unless this is false (e.g. for 'not improving').",
    )
    clinician_text: Text = Field(description="Shown to the clinician, with the reasoning.")
    sources: SourceIds


class Exercise(Strict):
    """One home exercise (one YAML file; the file name is the id)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Text
    summary: Text = Field(description="One plain sentence on what it is for.")
    targets: list[Target] = Field(min_length=1, description="Stretches count as mobility.")
    evidence_class: EvidenceClass
    sources: SourceIds = Field(
        description="Support for what the exercise is, its effect, precautions and leg-pain effect."
    )
    phases: list[Phase] = Field(min_length=1)
    prevention: bool = Field(description="Fits a programme to prevent recurrence.")
    position: Position = Field(description="The start position; safety rules use it.")
    treatments: list[HomeTreatment] = Field(min_length=1)
    clinician_guided: bool = Field(
        default=False, description="Chosen by a clinician after assessment, never automatically."
    )
    for_leg_pain_only: bool = Field(
        default=False, description="Only for people with leg pain (e.g. a nerve slider)."
    )
    leg_pain: LegPainEffect
    equipment: list[Equipment] = Field(default_factory=list, description="Empty: none needed.")
    class_based: bool = Field(default=False, description="Needs a class or an instructor.")
    dose: Dose = Field(description="The starting dose.")
    dose_sources: SourceIds = Field(description="Where the starting dose and limits come from.")
    limits: Limits
    progression: list[Step] = Field(default_factory=list)
    regression: list[Step] = Field(default_factory=list)
    progress_after_days: int = Field(
        ge=1, le=60, description="Days done comfortably before the next step is suggested."
    )
    progress_after_sources: SourceIds
    instructions: Instructions
    precautions: list[Text] = Field(default_factory=list)
    stop_rules: list[StopRuleId] = Field(min_length=1)
    avoid: list[Avoid] = Field(default_factory=list)
    caution: list[Caution] = Field(default_factory=list)
    goal: Goal | None = None

    @field_validator("targets", "phases", "treatments", "equipment", "stop_rules", mode="after")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return _no_duplicates(values)

    def doses(self) -> Iterator[tuple[str, Dose]]:
        """Every dose in the file with its field path: the start, then each step's own dose."""
        yield "dose", self.dose
        for key, steps in (("progression", self.progression), ("regression", self.regression)):
            for i, step in enumerate(steps):
                if step.dose is not None:
                    yield f"{key}.{i}.dose", step.dose

    def dose_violations(self) -> list[tuple[str, str]]:
        """(field path, message) for every dose or goal number outside ``limits``."""
        problems = [
            (f"{path}.{name}", message)
            for path, dose in self.doses()
            for name, message in self.limits.violations(dose)
        ]
        if self.goal is not None:
            for name in ("minutes", "per_week"):
                bounds: Bounds | None = getattr(self.limits, name)
                value = getattr(self.goal, name)
                if bounds is None:
                    problems.append((f"goal.{name}", f"no limits are given for {name}"))
                elif value not in bounds:
                    message = f"{value} is outside the limits {bounds.min}-{bounds.max}"
                    problems.append((f"goal.{name}", message))
        return problems

    def cited(self) -> Iterator[tuple[str, list[str]]]:
        """(field path, source ids) for every list of sources in the file."""
        yield "sources", self.sources
        yield "dose_sources", self.dose_sources
        yield "progress_after_sources", self.progress_after_sources
        for key, steps in (("progression", self.progression), ("regression", self.regression)):
            for i, step in enumerate(steps):
                yield f"{key}.{i}.sources", step.sources
        for i, a in enumerate(self.avoid):
            yield f"avoid.{i}.sources", a.sources
        for i, c in enumerate(self.caution):
            yield f"caution.{i}.sources", c.sources
        if self.goal is not None:
            yield "goal.sources", self.goal.sources

    def source_ids(self) -> set[str]:
        return {source for _, ids in self.cited() for source in ids}

    @property
    def avoided_tags(self) -> frozenset[str]:
        return frozenset(a.tag for a in self.avoid)
