"""Outcomes a clinic learns from: each episode's result, rates with their uncertainty, the
privacy rule for small groups, and case-mix adjustment. Free of Django; the web app
``backpath.web.outcomes`` stores the per-episode results and aggregates them in the database.
"""

from backpath.outcomes.casemix import CaseMix, CaseMixModel, TooFew, fit
from backpath.outcomes.episode import EpisodeFacts, EpisodeOutcome, outcome_of
from backpath.outcomes.intervals import Comparison, compare, wilson
from backpath.outcomes.privacy import MIN_GROUP, shown

__all__ = [
    "MIN_GROUP",
    "CaseMix",
    "CaseMixModel",
    "Comparison",
    "EpisodeFacts",
    "EpisodeOutcome",
    "TooFew",
    "compare",
    "fit",
    "outcome_of",
    "shown",
    "wilson",
]
