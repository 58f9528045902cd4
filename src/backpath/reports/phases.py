"""The phases of back pain in words, from the policy's cut-offs (``policy.yaml``), for every
page that explains them: the clinic's intake and the public self-check say the same."""

from __future__ import annotations

from backpath.knowledge import load_knowledge


def phase_cutoffs() -> str:
    """'acute: under 4 weeks; subacute: 4 to 12 weeks; chronic: over 12 weeks'."""
    cut = load_knowledge().policy.phase_cutoffs_weeks
    low, high = f"{cut.subacute_from:g}", f"{cut.chronic_over:g}"
    return f"acute: under {low} weeks; subacute: {low} to {high} weeks; chronic: over {high} weeks"
