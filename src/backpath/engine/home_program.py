"""``prescribe(assessment, recommended) -> HomeProgram | None``: the home exercises of a plan.

A program exists when the plan recommends (at any line) an exercise-based item of
``HOME_TREATMENTS`` and the triage allows a treatment plan. Its exercises come from the
library (``backpath.exercises``), filtered, then chosen slot by slot (docs/home-program.md
states every rule with its sources):

- eligible: for the person's phase and for at least one recommended item; never an ``avoid``
  tag the person carries, never ``clinician_guided``, never ``class_based`` when the person
  avoids group classes, no pool, exercise bike or weights (access: a clinician adds those),
  ``for_leg_pain_only`` only with leg pain, and with leg pain below the knee never one whose
  ``leg_pain`` effect is ``caution``; acute pain: only movement (aerobic, mobility, nerve
  mobility) with no strength or endurance work, to stay active;
- chosen: one exercise per target slot of the phase (acute: aerobic + two mobility;
  subacute and chronic: motor control, strength or endurance, mobility, aerobic; plus nerve
  mobility with leg pain below the knee), best first by a fixed ranking, then topped up to
  ``MIN_EXERCISES`` from the rest; never more than ``MAX_EXERCISES``;
- dosed at the library's starting dose (level 0), with the precautions of the person's
  ``caution`` tags.

Pure and deterministic; results are cached because programs repeat across plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from typing import NamedTuple, get_args

from backpath.engine import eligibility
from backpath.engine.assessment import Assessment
from backpath.engine.plan_models import RecommendedItem
from backpath.engine.program_models import (
    MAX_EXERCISES,
    HomeProgram,
    ProgramExercise,
    WalkingGoal,
)
from backpath.exercises import Exercise, load_exercises
from backpath.exercises.models import HomeTreatment, Target
from backpath.knowledge import Phase

HOME_TREATMENTS: tuple[str, ...] = get_args(HomeTreatment)
"""Plan items that carry a home program (the library's ``treatments`` vocabulary)."""
PLAN_DISPOSITIONS = frozenset({"proceed", "referral_with_plan"})
MIN_EXERCISES = 3
NOT_AUTOMATIC_EQUIPMENT = frozenset({"pool", "exercise_bike", "weights"})
"""Equipment that needs access or a purchase: a clinician may add such an exercise by an edit."""
HOUSEHOLD = frozenset({"chair", "wall", "mat"})
"""Equipment nearly every home has; other small items (strap, band, dowel) rank lower."""
ACUTE_TARGETS: frozenset[Target] = frozenset({"aerobic", "mobility", "nerve_mobility"})
ACUTE_EXCLUDED: frozenset[Target] = frozenset({"strength", "endurance"})
ACTIVE_SLOTS: tuple[tuple[Target, ...], ...] = (
    ("motor_control",),
    ("strength", "endurance"),
    ("mobility",),
    ("aerobic",),
)
SLOTS: Mapping[Phase, tuple[tuple[Target, ...], ...]] = {
    "acute": (("aerobic",), ("mobility",), ("mobility",)),
    "subacute": ACTIVE_SLOTS,
    "chronic": ACTIVE_SLOTS,
}
"""Target slots per phase, filled in order: acute pain calls for staying active (walking and
gentle movement, nice_ng59, george2021_jospt_cpg); subacute and chronic pain for trunk
activation, strength or endurance, mobility and aerobic exercise (george2021_jospt_cpg,
owen2020)."""
LEG_SLOT: tuple[Target, ...] = ("nerve_mobility",)
PHASE_SOURCES: Mapping[Phase, tuple[str, ...]] = {
    "acute": ("nice_ng59", "george2021_jospt_cpg"),
    "subacute": ("george2021_jospt_cpg", "owen2020"),
    "chronic": ("george2021_jospt_cpg", "owen2020"),
}
PREVENTION_SOURCES = ("steffens2016", "shiri2018_prevention")
DOSE_SOURCES = ("backpath_clinical_review",)
"""Starting low and building up gradually is BackPath's clinical-review choice (to be verified)."""
ROLE: Mapping[str, str] = {
    "aerobic": "Keeps you active with regular aerobic exercise",
    "mobility": "Keeps your back moving gently",
    "motor_control": "Trains control of the deep muscles that steady your spine",
    "strength": "Builds strength in your hips, legs and trunk",
    "endurance": "Builds the endurance of the muscles around your trunk",
    "nerve_mobility": "Moves the sciatic nerve gently, which can ease leg pain",
}


def _note_acute() -> str:
    return (
        "Acute pain: staying active helps more than rest, and no specific exercise is needed in "
        "the first weeks, so this program is short and gentle."
    )


def _note_prevention(recurrent: bool) -> str:
    before = " You have had back pain before, so this matters all the more." if recurrent else ""
    return (
        "Keep exercising once the pain settles: exercise with education lowered the chance of "
        "another episode over the following year in a review of trials, and the benefit fades "
        f"when exercise stops.{before}"
    )


class Person(NamedTuple):
    """The facts a prescription depends on (hashable, so programs can be cached)."""

    phase: Phase
    conditions: frozenset[str]
    """Only the tags some exercise avoids or takes with caution (fewer distinct cache keys)."""
    leg_pain: str
    """none, above_knee or below_knee (none when not recorded)."""
    no_classes: bool
    recurrent: bool
    """The person has had back pain episodes before."""
    items: tuple[tuple[str, str, int], ...]
    """(treatment id, name, line) of each recommended exercise-based item, in plan order."""

    @property
    def below_knee(self) -> bool:
        return self.leg_pain == "below_knee"

    @property
    def lines(self) -> dict[str, int]:
        return {treatment: line for treatment, _, line in self.items}


def short_name(name: str) -> str:
    """A treatment's name without its explanation in brackets."""
    return name.split(" (")[0]


class _Entry(NamedTuple):
    """One library exercise with the facts the choice reads, computed once per process."""

    order: int
    ex: Exercise
    treatments: frozenset[str]
    targets: frozenset[str]
    first_target: str
    avoided: frozenset[str]
    cautions: frozenset[str]
    extra_equipment: int
    needs_access: bool
    acute_ok: bool


@cache
def _entries() -> tuple[_Entry, ...]:
    return tuple(
        _Entry(
            order=i,
            ex=ex,
            treatments=frozenset(ex.treatments),
            targets=frozenset(ex.targets),
            first_target=ex.targets[0],
            avoided=ex.avoided_tags,
            cautions=frozenset(c.tag for c in ex.caution),
            extra_equipment=len(set(ex.equipment) - HOUSEHOLD),
            needs_access=bool(NOT_AUTOMATIC_EQUIPMENT.intersection(ex.equipment)),
            acute_ok=bool(ACUTE_TARGETS.intersection(ex.targets))
            and not ACUTE_EXCLUDED.intersection(ex.targets),
        )
        for i, ex in enumerate(load_exercises().values())
    )


@cache
def tagged_conditions() -> frozenset[str]:
    """Every condition tag an exercise avoids or takes with caution: the only ones that matter."""
    return frozenset(t for e in _entries() for t in e.avoided | e.cautions)


def _exclusion(e: _Entry, person: Person, treatments: frozenset[str]) -> str | None:
    """Why an exercise is not eligible for ``person`` (None when it is), in words for a note;
    ``treatments`` are the plan's recommended exercise-based items."""
    ex = e.ex
    if person.phase not in ex.phases:
        return "phase"
    if not e.treatments & treatments:
        return "treatment"
    carried = eligibility.exercise_ruled_out_by(ex, person.conditions)
    if carried:
        return "condition: " + ", ".join(eligibility.label(t).lower() for t in carried)
    if ex.clinician_guided:
        return "chosen by a clinician after assessment"
    if ex.class_based and person.no_classes:
        return "needs a class, which the person prefers to avoid"
    if e.needs_access:
        return "needs a pool, an exercise bike or weights"
    if ex.for_leg_pain_only and person.leg_pain == "none":
        return "only for leg pain"
    if ex.leg_pain == "caution" and person.below_knee:
        return "may aggravate leg pain below the knee"
    if person.phase == "acute" and not e.acute_ok:
        return "not for acute pain (stay active with gentle movement)"
    return None


def _base_rank(e: _Entry, person: Person, lines: Mapping[str, int]) -> tuple[int, ...]:
    """Lower is better: line of its plan item, leg-pain help, cautions carried, (slot fit as
    its main target, inserted by ``_best``), recurrence prevention (not acute), equipment
    beyond the household, then library order."""
    ex = e.ex
    return (
        min(line for t, line in lines.items() if t in e.treatments),
        0 if person.below_knee and ex.leg_pain == "helps" else 1,
        len(e.cautions & person.conditions),
        0 if ex.prevention and person.phase != "acute" else 1,
        e.extra_equipment,
        e.order,
    )


def _best(
    ranked: Sequence[tuple[tuple[int, ...], _Entry]], slot: tuple[Target, ...], taken: set[int]
) -> _Entry | None:
    """The best free entry for ``slot``: ``ranked`` is in base-rank order, and the slot fit
    as main target counts right after the first three rank parts."""
    best: _Entry | None = None
    best_key: tuple[int, ...] = ()
    for rank, e in ranked:
        if best is not None and rank[:3] > best_key[:3]:
            break  # sorted: nothing later can beat the best
        if e.order in taken or not e.targets.intersection(slot):
            continue
        key = (*rank[:3], 0 if e.first_target in slot else 1)
        if best is None or key < best_key:
            best, best_key = e, key
    return best


def _choose(eligible: Sequence[_Entry], person: Person) -> list[tuple[Exercise, Target | None]]:
    lines = person.lines
    ranked = sorted(((_base_rank(e, person, lines), e) for e in eligible), key=lambda p: p[0])
    slots = list(SLOTS[person.phase])
    if person.below_knee:
        slots.append(LEG_SLOT)
    chosen: list[tuple[Exercise, Target | None]] = []
    taken: set[int] = set()
    for slot in slots:
        best = _best(ranked, slot, taken)
        if best is not None:
            chosen.append((best.ex, next(t for t in best.ex.targets if t in slot)))
            taken.add(best.order)
    rest = [e.ex for _, e in ranked if e.order not in taken]
    chosen += [(ex, None) for ex in rest[: max(0, MIN_EXERCISES - len(chosen))]]
    return chosen[:MAX_EXERCISES]


def _why(ex: Exercise, role: Target | None, person: Person) -> str:
    names = [short_name(name) for treatment, name, _ in person.items if treatment in ex.treatments]
    what = ROLE[role or ex.targets[0]]
    text = f"{what}, for {person.phase} back pain. Part of: {'; '.join(names)}."
    if person.below_knee and ex.leg_pain == "helps":
        text += " It tends to ease leg pain rather than stir it up."
    if ex.prevention and person.phase != "acute":
        text += " It also helps keep back pain from coming back."
    return text


def _item(ex: Exercise, role: Target | None, person: Person) -> ProgramExercise:
    carried = eligibility.exercise_precautions(ex, person.conditions)
    cautions = [text for text, _ in carried]
    leg = (
        ["Watch your leg pain: stop if it spreads further down the leg."]
        if person.leg_pain == "above_knee" and ex.leg_pain == "caution"
        else []
    )
    cited = [*ex.sources, *ex.dose_sources]
    cited += [s for _, sources in carried for s in sources]
    return ProgramExercise(
        exercise=ex.id,
        name=ex.name,
        level=0,
        dose=ex.dose,
        why=_why(ex, role, person),
        precautions=tuple(dict.fromkeys([*cautions, *leg, *(p.strip() for p in ex.precautions)])),
        stop_rules=tuple(ex.stop_rules),
        sources=tuple(dict.fromkeys(cited)),
    )


def walking_goal(ex: Exercise, item: ProgramExercise) -> WalkingGoal | None:
    """The library goal of a walking exercise as the program's goal, starting from its dose."""
    goal = ex.goal
    if goal is None:
        return None
    return WalkingGoal(
        now=f"{item.dose.text().capitalize()}, at an easy pace you could keep up while talking.",
        minutes=goal.minutes,
        per_week=goal.per_week,
        by_week=goal.by_week,
        text=f"{goal.text.strip()} This is the long-term goal: it is the walking goal that, in "
        "a trial of people who had recovered from back pain, kept a new episode away for longer.",
        sources=tuple(goal.sources),
    )


def _short_note(found: int, person: Person, reasons: Iterable[str]) -> str:
    treatments = "; ".join(short_name(name) for _, name, _ in person.items)
    why = sorted(set(reasons))
    because = f" Others were left out: {'; '.join(why)}." if why else ""
    return (
        f"Only {found} library exercise{'s' if found != 1 else ''} fit{'s' if found == 1 else ''} "
        f"{treatments} for {person.phase} pain and this person; BackPath prescribes "
        f"{MIN_EXERCISES} to {MAX_EXERCISES} when it can, and the clinician may add more.{because}"
    )


@lru_cache(maxsize=4096)
def _program(person: Person) -> HomeProgram | None:
    eligible: list[_Entry] = []
    reasons: list[str] = []
    treatments = frozenset(person.lines)
    for entry in _entries():
        why = _exclusion(entry, person, treatments)
        if why is None:
            eligible.append(entry)
        elif why not in ("phase", "treatment"):
            reasons.append(why)
    if not eligible:
        return None
    chosen = _choose(eligible, person)
    items = [_item(ex, role, person) for ex, role in chosen]
    goal = next(
        (walking_goal(ex, it) for (ex, _), it in zip(chosen, items, strict=True) if ex.goal),
        None,
    )
    notes: list[str] = []
    if len(items) < MIN_EXERCISES:
        notes.append(_short_note(len(items), person, reasons))
    if person.phase == "acute":
        notes.append(_note_acute())
    else:
        notes.append(_note_prevention(person.recurrent))
    sources = [*PHASE_SOURCES[person.phase], *DOSE_SOURCES]
    if person.phase != "acute":
        sources += PREVENTION_SOURCES
    return HomeProgram(
        treatments=tuple(treatment for treatment, _, _ in person.items),
        exercises=tuple(items),
        walking_goal=goal,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(sources)),
    )


def prescribe(assessment: Assessment, recommended: Sequence[RecommendedItem]) -> HomeProgram | None:
    """The home program for a plan's recommended items, or None when the plan has no
    exercise-based item, the triage allows no treatment plan, or no exercise is eligible."""
    if assessment.triage.disposition not in PLAN_DISPOSITIONS:
        return None
    items = tuple(
        (r.treatment, r.name, r.line) for r in recommended if r.treatment in HOME_TREATMENTS
    )
    if not items:
        return None
    intake = assessment.intake
    person = Person(
        phase=assessment.phase,
        conditions=assessment.conditions & tagged_conditions(),
        leg_pain=intake.episode.leg_pain or "none",
        no_classes="group_classes" in intake.preferences.avoid,
        recurrent=bool(intake.episode.prior_episodes),
        items=items,
    )
    return _program(person)
