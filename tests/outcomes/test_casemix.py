"""Case-mix adjustment: the fitted model learns the clinic's pattern, and says when it cannot."""

from __future__ import annotations

import math
import random

import pytest

from backpath.outcomes import CaseMix, CaseMixModel, TooFew, fit
from backpath.outcomes.casemix import MIN_EACH, MIN_EPISODES


def synthetic(n: int, seed: int = 1) -> list[tuple[CaseMix, bool]]:
    """Episodes whose chance to respond falls with severity and high STarT Back risk."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        severity = rng.uniform(0.1, 0.9)
        group = rng.choice(("low", "medium", "high"))
        case = CaseMix(severity, rng.choice(("acute", "subacute", "chronic")), group,
                       rng.randint(20, 80), rng.choice((1.0, 6.0, 30.0)))  # fmt: skip
        z = 2.0 - 4.0 * severity - 1.5 * (group == "high")
        rows.append((case, rng.random() < 1 / (1 + math.exp(-z))))
    return rows


def test_the_model_learns_the_direction_of_each_effect() -> None:
    model = fit(synthetic(600))
    assert isinstance(model, CaseMixModel)
    easy = CaseMix(0.1, "acute", "low", 40, 1.0)
    hard = CaseMix(0.9, "acute", "high", 40, 1.0)
    assert model.chance(easy) > 0.7 > 0.3 > model.chance(hard)  # type: ignore[operator]
    ratios = dict(model.odds_ratios())
    assert ratios["baseline severity"] < 1 and ratios["STarT Back high (vs low)"] < 1
    assert 0.6 < model.apparent_auc <= 1


def test_a_stored_model_predicts_the_same() -> None:
    model = fit(synthetic(300))
    assert isinstance(model, CaseMixModel)
    again = CaseMixModel.from_dict(model.to_dict())
    case = CaseMix(0.4, "chronic", "medium", 61, 30.0)
    assert again.chance(case) == pytest.approx(model.chance(case))


def test_a_missing_predictor_gives_no_chance_and_is_left_out_of_the_fit() -> None:
    model = fit(synthetic(300))
    assert isinstance(model, CaseMixModel)
    assert model.chance(CaseMix(None, "acute", "low", 40, 1.0)) is None
    assert model.chance(CaseMix(0.4, "acute", None, 40, 1.0)) is None
    rows = synthetic(300) + [(CaseMix(0.5, None, "low", 40, 1.0), True)] * 50
    assert fit(rows).episodes == 300  # type: ignore[union-attr]


def test_too_few_episodes_or_outcomes_say_so() -> None:
    few = fit(synthetic(MIN_EPISODES - 1))
    assert isinstance(few, TooFew) and str(MIN_EPISODES) in few.reason
    all_respond = [(case, True) for case, _ in synthetic(200)]
    lopsided = all_respond + [(c, False) for c, _ in synthetic(MIN_EACH - 1, seed=2)]
    assert isinstance(fit(lopsided), TooFew)
