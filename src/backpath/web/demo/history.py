"""The demo clinic's past year: closed episodes, so the outcome dashboard shows something real.

Generated from one seeded random generator, so every build gives the same people, courses
and results. Each episode is an ordinary ``DemoCase`` (its plan still comes from the engine
when the demo is built); only the case mix and how each course went are drawn here:

- phase, STarT Back group, age and baseline severity are drawn as a clinic would see them;
- the chance of a good course falls with severity, chronicity and risk group (so case-mix
  adjustment has something to adjust for), and one clinician's patients do somewhat better;
- most episodes end after 12 weeks with a discharge questionnaire, some after 6, and some
  early without one (the patient stopped coming);
- a few people screened positive for red flags and were referred on at once.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Literal

from backpath.web.demo.cases import HIGH_RISK, LOW_RISK, MEDIUM_RISK, DemoCase, Trend

HISTORY_EPISODES = 120
RED_FLAG_EPISODES = 6
GIVEN = ("Aaron", "Beatrice", "Carlos", "Deborah", "Emeka", "Fatima", "Graham", "Hannah",
         "Ibrahim", "Julia", "Kwame", "Laura", "Mohammed", "Nina", "Oliver", "Priya", "Quentin",
         "Rosa", "Samuel", "Tara", "Umar", "Vera", "William", "Yasmin", "Zoe")  # fmt: skip
FAMILY = ("Adams", "Brennan", "Carter", "Dlamini", "Evans", "Fischer", "Garcia", "Hassan",
          "Ito", "Jensen", "Kowalski", "Lopez", "Murphy", "Nguyen", "Okoro", "Patel", "Quinn",
          "Russo", "Silva", "Thompson", "Urban", "Varga", "Wright", "Young",
          "Zielinski")  # fmt: skip
CLINICIANS = ("clinician", "clinician2", "lead")
BETTER_CLINICIAN = "clinician2"
CAUSES = ("nonspecific", "nonspecific", "muscle_strain", "herniated_disc", "facet_joint",
          "degenerative_disc", "spinal_stenosis")  # fmt: skip


@dataclass(frozen=True)
class PastEpisode:
    case: DemoCase
    opened: dt.date
    closed: dt.date
    clinician: str
    adherence: float
    """The share of due home exercises the person did."""


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = [(g, f) for g in GIVEN for f in FAMILY]
    rng.shuffle(pairs)
    return pairs[:count]


def _trend(rng: random.Random, chance: float) -> Trend:
    if rng.random() < chance:
        return "fast" if rng.random() < 0.45 else "improving"
    return "slow" if rng.random() < 0.6 else "flat"


def past_episodes(today: dt.date) -> list[PastEpisode]:
    """The same list for the same ``today``: episodes opened 100 to 420 days ago, closed."""
    rng = random.Random("backpath-demo/history")
    out = []
    names = _names(rng, HISTORY_EPISODES + RED_FLAG_EPISODES)
    for n, (given, family) in enumerate(names):
        red_flag = n >= HISTORY_EPISODES
        weeks = rng.choice((1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 16.0, 26.0, 40.0, 80.0))
        group = rng.choices(("low", "medium", "high"), weights=(45, 35, 20))[0]
        startback = {"low": LOW_RISK, "medium": MEDIUM_RISK, "high": HIGH_RISK}[group]
        age = rng.randint(22, 82)
        kind: Literal["odi", "rmdq"] = rng.choice(("odi", "rmdq"))
        severity = rng.uniform(0.15, 0.7)
        disability = (kind, float(round(severity * (100 if kind == "odi" else 24))))
        clinician = rng.choice(CLINICIANS)
        score = (1.6 - 2.2 * severity - 0.9 * (weeks > 12) - 0.4 * (4 <= weeks <= 12)
                 - 0.5 * (group == "medium") - 1.1 * (group == "high") - 0.015 * (age - 45)
                 + 0.5 * (clinician == BETTER_CLINICIAN))  # fmt: skip
        opened = today - dt.timedelta(days=rng.randint(100, 420))
        length = rng.choices((84, 45, rng.randint(18, 35)), weights=(60, 25, 15))[0]
        case = DemoCase(
            key=f"history-{n}", given_name=given, family_name=family, age=age,
            sex=rng.choice(("female", "male")), summary="Back pain (past episode)",
            episode={"duration_weeks": weeks, "region": "low_back",
                     "leg_pain": rng.choice(("none", "none", "above_knee", "below_knee")),
                     "suspected_cause": rng.choice(CAUSES), "prior_episodes": rng.randint(0, 3)},
            nrs=rng.randint(4, 9), startback=startback, disability=disability,
            trend=_trend(rng, 1 / (1 + math.exp(-score))), created_by=clinician,
            red_flags=("saddle_anaesthesia", "bladder_dysfunction") if red_flag else (),
            published=not red_flag, adverse_event=rng.random() < 0.12,
        )  # fmt: skip
        closed = opened + dt.timedelta(days=2 if red_flag else length)
        out.append(PastEpisode(case, opened, closed, clinician, rng.uniform(0.3, 0.95)))
    return out
