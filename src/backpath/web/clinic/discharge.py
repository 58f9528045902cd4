"""Closing an episode (discharge): the one writer of its closing fields. A closed episode is
read-only (``plans.versions.check_open``, the intake refuses changes); a new one can be opened.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.web.patients.models import Episode

REASONS = [c for c in Episode.Discharge.choices if c[0] != Episode.Discharge.NEW_EPISODE]


def close_open_episodes(patient: Any, user: Any) -> int:
    """Close the patient's open episode today because a new one is opened (no outcome asked:
    the new episode takes over)."""
    return patient.episodes.filter(closed__isnull=True).update(
        closed=timezone.localdate(), discharge_reason=Episode.Discharge.NEW_EPISODE,
        discharged_by=user,
    )  # fmt: skip


def discharge(episode: Episode, reason: str, if_pain_returns: str, user: Any) -> Episode:
    """Close ``episode`` today; ``InvalidInput`` names ``reason`` or ``episode``."""
    if reason not in {r for r, _ in REASONS}:
        raise InvalidInput("reason", "one of: " + ", ".join(label for _, label in REASONS))
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        if locked.closed is not None:
            raise InvalidInput("episode", f"already closed on {locked.closed:%-d %b %Y}")
        locked.closed = timezone.localdate()
        locked.discharge_reason, locked.discharged_by = reason, user
        locked.if_pain_returns = if_pain_returns.strip()[:4000]
        locked.save(update_fields=["closed", "discharge_reason", "discharged_by",
                                   "if_pain_returns"])  # fmt: skip
    return locked
