"""The small-group rule: no number is shown for a group of fewer than five patients.

Counts that small can point at one person (a clinician with three patients, a month with
two discharges), so every figure about such a group is withheld, in the page, the table and
the CSV alike.
"""

from __future__ import annotations

MIN_GROUP = 5
WITHHELD = f"fewer than {MIN_GROUP}"


def shown(patients: int) -> bool:
    """True when a group of ``patients`` distinct people is large enough to show."""
    return patients >= MIN_GROUP
