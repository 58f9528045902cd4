"""Case-mix adjustment: each episode's chance to respond, given how it started.

A clinic or clinician who sees harder cases (worse baseline, chronic pain, high STarT Back
risk, older people, long duration) will have fewer responders for reasons that are not about
the care. A logistic regression fitted on the clinic's own closed episodes predicts each
episode's chance; summed over a group it gives the responders to expect, which the dashboard
sets against the responders observed (``intervals.compare``).

- Predictors: baseline severity of the primary measure (share of its scale), phase, STarT
  Back group, age and log duration. Episodes missing any of them are left out of the fit
  and have no expected value.
- The fit is scikit-learn's L2-penalised logistic regression on standardised predictors; the
  penalty keeps the coefficients finite when a small category responds all one way. It is
  imported only when fitting (the nightly job), never by a page.
- Too few to fit: fewer than ``MIN_EPISODES`` usable closed episodes, or fewer than
  ``MIN_EACH`` responders or non-responders (about ten outcomes per predictor is the common
  rule of thumb for logistic regression). The dashboard then says there are too few episodes.
- The fitted model is plain numbers (``to_dict``/``from_dict``), so prediction is pure Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MIN_EPISODES = 40
MIN_EACH = 10
PHASES = ("acute", "subacute", "chronic")
GROUPS = ("low", "medium", "high")
FEATURES = (
    "baseline severity",
    "subacute (vs acute)",
    "chronic (vs acute)",
    "STarT Back medium (vs low)",
    "STarT Back high (vs low)",
    "age (years)",
    "duration (log weeks)",
)


@dataclass(frozen=True)
class CaseMix:
    severity: float | None
    phase: str | None
    startback: str | None
    age: int | None
    duration_weeks: float | None

    def vector(self) -> list[float] | None:
        """The predictors in ``FEATURES`` order; None when one is missing or unknown."""
        if (self.severity is None or self.phase not in PHASES or self.startback not in GROUPS
                or self.age is None or self.duration_weeks is None):  # fmt: skip
            return None
        return [
            float(self.severity),
            float(self.phase == "subacute"),
            float(self.phase == "chronic"),
            float(self.startback == "medium"),
            float(self.startback == "high"),
            float(self.age),
            math.log1p(max(0.0, float(self.duration_weeks))),
        ]


@dataclass(frozen=True)
class TooFew:
    episodes: int
    responders: int

    @property
    def reason(self) -> str:
        return (
            f"Too few closed episodes to adjust for case mix: {self.episodes} with a known "
            f"outcome and every predictor ({self.responders} responders). The model needs at "
            f"least {MIN_EPISODES}, with {MIN_EACH} or more responders and non-responders."
        )


@dataclass(frozen=True)
class CaseMixModel:
    intercept: float
    coefficients: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    episodes: int
    responders: int
    apparent_auc: float
    """How well the model ranks its own episodes (0.5 is chance); optimistic, as it is
    measured on the data it was fitted on."""

    def chance(self, case: CaseMix) -> float | None:
        """The modelled chance to respond, or None when a predictor is missing."""
        x = case.vector()
        if x is None:
            return None
        z = self.intercept + sum(
            c * (v - m) / s
            for c, v, m, s in zip(self.coefficients, x, self.means, self.scales, strict=True)
        )
        return 1 / (1 + math.exp(-z)) if z > -700 else 0.0

    def odds_ratios(self) -> list[tuple[str, float]]:
        """Each predictor's odds ratio per unit of it (the fit was on standardised values,
        so each coefficient is divided by its standard deviation)."""
        return [
            (name, math.exp(c / s))
            for name, c, s in zip(FEATURES, self.coefficients, self.scales, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "intercept": self.intercept,
            "coefficients": list(self.coefficients),
            "means": list(self.means),
            "scales": list(self.scales),
            "episodes": self.episodes,
            "responders": self.responders,
            "apparent_auc": self.apparent_auc,
            "features": list(FEATURES),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseMixModel:
        return cls(
            intercept=float(data["intercept"]),
            coefficients=tuple(float(v) for v in data["coefficients"]),
            means=tuple(float(v) for v in data["means"]),
            scales=tuple(float(v) for v in data["scales"]),
            episodes=int(data["episodes"]),
            responders=int(data["responders"]),
            apparent_auc=float(data["apparent_auc"]),
        )


def fit(rows: Sequence[tuple[CaseMix, bool]]) -> CaseMixModel | TooFew:
    """Fit on closed episodes (case mix, responded); rows missing a predictor are skipped."""
    usable = [(x, y) for case, y in rows if (x := case.vector()) is not None]
    responders = sum(1 for _, y in usable if y)
    if (len(usable) < MIN_EPISODES or responders < MIN_EACH
            or len(usable) - responders < MIN_EACH):  # fmt: skip
        return TooFew(len(usable), responders)
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    columns = list(zip(*(x for x, _ in usable), strict=True))
    means = [sum(c) / len(c) for c in columns]
    scales = [
        math.sqrt(sum((v - m) ** 2 for v in c) / len(c)) or 1.0
        for c, m in zip(columns, means, strict=True)
    ]
    standard = [[(v - m) / s for v, m, s in zip(x, means, scales, strict=True)]
                for x, _ in usable]  # fmt: skip
    outcome = [int(y) for _, y in usable]
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(standard, outcome)
    auc = float(roc_auc_score(outcome, model.predict_proba(standard)[:, 1]))
    return CaseMixModel(
        intercept=float(model.intercept_[0]),
        coefficients=tuple(float(c) for c in model.coef_[0]),
        means=tuple(means),
        scales=tuple(scales),
        episodes=len(usable),
        responders=responders,
        apparent_auc=round(auc, 3),
    )
