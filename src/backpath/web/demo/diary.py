"""Twelve weeks of plausible diary for a demo patient, and the last weeks of its home
exercise log, from seeded random generators.

Pure functions: the same case and start day always give the same entries. Every score is
computed by ``backpath.instruments`` from generated answers, exactly as the diary form does.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from backpath import instruments
from backpath.engine.plan_models import Plan, RecommendedItem
from backpath.engine.program_models import HomeProgram
from backpath.engine.stored_plan import StoredPlan
from backpath.web.demo.cases import DemoCase

WEEKS = 12
DAYS = WEEKS * 7
REVIEW_DAYS = (0, 42, 84)  # disability questionnaire at baseline, 6 and 12 weeks

# Where the pain ends, as a share of the baseline, and how quickly it gets there.
COURSES = {"fast": (0.2, 5.0), "improving": (0.45, 2.5), "slow": (0.75, 1.5), "flat": (1.0, 1.0)}


@dataclass(frozen=True)
class Entry:
    """One diary row, ready for ``DiaryEntry(**entry.fields(), patient=..., episode=...)``."""

    on: dt.date
    kind: str
    value: float | None = None
    answers: list[Any] = field(default_factory=list)
    treatment: str = ""
    attended: bool | None = None
    serious: bool = False
    note: str = ""

    def fields(self) -> dict[str, Any]:
        return {"on": self.on, "kind": self.kind, "value": self.value, "answers": self.answers,
                "treatment": self.treatment, "attended": self.attended, "serious": self.serious,
                "note": self.note}  # fmt: skip


def rng_for(case: DemoCase) -> random.Random:
    return random.Random(f"backpath-demo/{case.key}")


def level(case: DemoCase, day: int) -> float:
    """The expected pain on ``day`` (0 = baseline) along the case's course, 0-10."""
    end, speed = COURSES[case.trend]
    progress = (1 - math.exp(-speed * day / DAYS)) / (1 - math.exp(-speed))
    return case.nrs * (1 - (1 - end) * progress)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def disability_answers(kind: str, target: float, rng: random.Random) -> list[int]:
    """Answers whose score is close to ``target`` (ODI percent, or RMDQ total)."""
    if kind == "odi":
        items, top = 10, 5
        total = _clamp(target / 100 * items * top, 0, items * top)
    else:
        items, top = 24, 1
        total = _clamp(target, 0, items)
    answers = [0] * items
    for _ in range(total):
        answers[rng.choice([i for i in range(items) if answers[i] < top])] += 1
    return answers


def disability_entry(case: DemoCase, on: dt.date, answers: list[int]) -> Entry:
    kind = case.disability[0]
    result = instruments.score(kind, answers)
    value = result.headline
    return Entry(on=on, kind=kind, value=value, answers=answers)


def baseline_answers(case: DemoCase) -> tuple[list[int], list[int]]:
    """The disability and PEG answers given at intake (the diary repeats them on day 0)."""
    rng = rng_for(case)
    kind, target = case.disability
    return disability_answers(kind, target, rng), _peg_answers(case.nrs, rng)


def _peg_answers(pain: float, rng: random.Random) -> list[int]:
    return [_clamp(pain + rng.gauss(0, 0.6), 0, 10),
            _clamp(pain * 0.9 + rng.gauss(0, 0.8), 0, 10),
            _clamp(pain * 0.95 + rng.gauss(0, 0.8), 0, 10)]  # fmt: skip


def supervised(plan: Plan | StoredPlan) -> list[RecommendedItem]:
    """Recommended items delivered in clinic sessions (their schedule counts sessions)."""
    return [r for r in plan.recommended if r.schedule.per_week]


def build_diary(case: DemoCase, plan: Plan | StoredPlan, start: dt.date) -> list[Entry]:
    """The case's diary from ``start`` (baseline) to ``start`` + 12 weeks, in date order."""
    disability, peg_baseline = baseline_answers(case)
    rng = random.Random(f"backpath-demo/{case.key}/diary")
    entries: list[Entry] = []
    for day in range(DAYS + 1):
        on = start + dt.timedelta(days=day)
        expected = level(case, day)
        if day in (0, DAYS) or rng.random() > 0.12:  # a few missed days, as in real diaries
            pain = _clamp(expected + rng.gauss(0, 0.7), 0, 10) if day else case.nrs
            entries.append(Entry(on=on, kind="nrs", value=float(instruments.score("nrs", pain)
                                 .value), answers=[pain]))  # type: ignore[attr-defined]  # fmt: skip
        if day % 7 == 0:
            answers = peg_baseline if day == 0 else _peg_answers(expected, rng)
            peg = instruments.score("peg", answers)
            entries.append(Entry(on=on, kind="peg", value=peg.mean, answers=answers))  # type: ignore[attr-defined]
        if day in REVIEW_DAYS:
            target = case.disability[1] * expected / case.nrs
            answers = disability if day == 0 else disability_answers(case.disability[0],
                                                                     target, rng)  # fmt: skip
            entries.append(disability_entry(case, on, answers))
    entries += _sessions(case, plan, start, rng)
    return sorted(entries, key=lambda e: (e.on, e.kind))


def _sessions(
    case: DemoCase, plan: Plan | StoredPlan, start: dt.date, rng: random.Random
) -> list[Entry]:
    """Clinic sessions of up to two supervised items, within the patient's weekly limit."""
    items = supervised(plan)[:2]
    weekly_limit = case.preferences.get("max_sessions_per_week", 3)
    out: list[Entry] = []
    for week in range(WEEKS):
        budget = weekly_limit
        for n, item in enumerate(items):
            schedule = item.schedule
            if week >= (schedule.weeks or WEEKS) or not schedule.per_week:
                continue
            for k in range(min(schedule.per_week, budget)):
                on = start + dt.timedelta(days=week * 7 + 2 + 2 * k + n)
                attended = rng.random() > 0.1
                note = "" if attended else "Missed: could not get time off work."
                out.append(Entry(on=on, kind="session", treatment=item.treatment,
                                 attended=attended, note=note))  # fmt: skip
                budget -= 1
    if case.adverse_event and out:
        first = out[0]
        second = next((e for e in out if e.treatment == first.treatment and e.on > first.on), first)
        out.append(Entry(on=second.on + dt.timedelta(days=1), kind="adverse_event",
                         treatment=second.treatment, serious=False,
                         note="Sore and stiff for two days after the session; eased with heat "
                              "and gentle walking."))  # fmt: skip
    return out


EXERCISE_DAYS = 18
"""The exercise log covers the last two and a half weeks, up to yesterday: the demo's Today
view is left for the newcomer to tap."""


@dataclass(frozen=True)
class ExerciseEntry:
    """One exercise log row, ready for ``ExerciseLog(**entry.fields(), patient=..., ...)``."""

    on: dt.date
    exercise: str
    outcome: str
    stop_rule: str = ""

    def fields(self) -> dict[str, Any]:
        return {"on": self.on, "exercise": self.exercise, "outcome": self.outcome,
                "stop_rule": self.stop_rule}  # fmt: skip


def build_exercise_log(
    case: DemoCase, program: HomeProgram | None, today: dt.date
) -> list[ExerciseEntry]:
    """The case's exercise log: every exercise on the days it is due, mostly done, some
    skipped, and exactly one day when one exercise was too painful (with the case's
    ``stop_sign`` reported, if it has one)."""
    if program is None:
        return []
    rng = random.Random(f"backpath-demo/{case.key}/exercises")
    out: list[ExerciseEntry] = []
    for back in range(EXERCISE_DAYS, 0, -1):
        on = today - dt.timedelta(days=back)
        for item in program.due_on(on):
            outcome = "skipped" if rng.random() < 0.12 else "done"
            out.append(ExerciseEntry(on, item.exercise, outcome))
    painful_day = today - dt.timedelta(days=EXERCISE_DAYS // 2)
    sore = program.exercises[-1].exercise  # the last one chosen: often the hardest
    candidates = [i for i, e in enumerate(out) if e.exercise == sore and e.on >= painful_day]
    if candidates:
        first = candidates[0]
        out[first] = ExerciseEntry(out[first].on, sore, "too_painful", case.stop_sign)
    return out
