"""The stored plan's home program as reminders and the calendar read it: leniently, since a
reminder or a calendar must not turn a data problem into a server error."""

from __future__ import annotations

import logging
from typing import Any

from backpath.engine.program_models import HomeProgram, program_of
from backpath.errors import InvalidInput

log = logging.getLogger(__name__)


def home_program_of(plan: dict[str, Any] | None) -> HomeProgram | None:
    """The plan JSON's home program, or None when it has none or it no longer validates
    (logged): a reminder or a calendar must not turn a data problem into a server error."""
    try:
        return program_of(plan)
    except InvalidInput as exc:
        log.warning("home_program of a stored plan does not validate: %s", exc)
        return None
