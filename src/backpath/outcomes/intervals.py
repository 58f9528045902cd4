"""Rates with their uncertainty, and observed against expected.

- A proportion's 95% interval is Wilson's score interval: it stays inside 0-100% and behaves
  with small groups and rates near 0 or 1, where the textbook normal interval does not.
- Observed against expected (O/E) responders: the observed count is treated as Poisson and
  its 95% interval comes from Byar's approximation, divided by the expected count (the sum of
  each episode's modelled chance). A group whose interval lies wholly above 1 responded more
  often than its case mix predicts; wholly below 1, less often.
- Fewer than ``MIN_TO_TELL`` episodes with a known outcome: the interval is too wide for a
  verdict, and the comparison says so instead of guessing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Z95 = 1.959963984540054
MIN_TO_TELL = 20

Verdict = Literal["too_few", "as_expected", "above", "below", "no_model"]
VERDICT_TEXT: dict[Verdict, str] = {
    "too_few": "too few episodes to tell",
    "no_model": "no case-mix model yet",
    "as_expected": "in line with case mix",
    "above": "more responders than case mix predicts",
    "below": "fewer responders than case mix predicts",
}


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` of ``total`` (raises ValueError when the counts
    are impossible)."""
    if total <= 0 or not 0 <= successes <= total:
        raise ValueError(f"need 0 <= successes <= total and total > 0, got {successes}/{total}")
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends, no rounding dust
    high = 1.0 if successes == total else min(1.0, centre + half)
    return low, high


def poisson_interval(observed: int, z: float = Z95) -> tuple[float, float]:
    """Byar's approximation to the exact 95% interval of a Poisson count."""
    if observed < 0:
        raise ValueError(f"a count cannot be negative, got {observed}")
    if observed == 0:
        low = 0.0
    else:
        low = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    nxt = observed + 1
    high = nxt * (1 - 1 / (9 * nxt) + z / (3 * math.sqrt(nxt))) ** 3
    return max(0.0, low), high


@dataclass(frozen=True)
class Comparison:
    """One group's responders: the rate with its interval and, when a model is fitted, the
    expected rate and O/E with its interval."""

    episodes: int
    responders: int
    rate: float
    rate_interval: tuple[float, float]
    expected_rate: float | None
    ratio: float | None
    ratio_interval: tuple[float, float] | None
    verdict: Verdict

    @property
    def verdict_text(self) -> str:
        return VERDICT_TEXT[self.verdict]


def compare(
    responders: int,
    episodes: int,
    expected: float | None = None,
    modelled: tuple[int, int] | None = None,
) -> Comparison:
    """``responders`` of ``episodes`` with a known outcome, and, when a model is fitted, the
    ``expected`` responders (the sum of the modelled chances) among the ``modelled`` episodes
    (``(responders, episodes)`` of those with every predictor; all of them by default).

    Raises ValueError for impossible counts.
    """
    rate_interval = wilson(responders, episodes)
    modelled_responders, modelled_episodes = modelled or (responders, episodes)
    ratio = ratio_interval = expected_rate = None
    verdict: Verdict
    if expected is None or expected <= 0 or modelled_episodes == 0:
        verdict = "too_few" if episodes < MIN_TO_TELL else "no_model"
    else:
        expected_rate = expected / modelled_episodes
        low, high = poisson_interval(modelled_responders)
        ratio = modelled_responders / expected
        ratio_interval = (low / expected, high / expected)
        if modelled_episodes < MIN_TO_TELL:
            verdict = "too_few"
        elif ratio_interval[0] > 1:
            verdict = "above"
        elif ratio_interval[1] < 1:
            verdict = "below"
        else:
            verdict = "as_expected"
    return Comparison(
        episodes=episodes,
        responders=responders,
        rate=responders / episodes,
        rate_interval=rate_interval,
        expected_rate=expected_rate,
        ratio=ratio,
        ratio_interval=ratio_interval,
        verdict=verdict,
    )
