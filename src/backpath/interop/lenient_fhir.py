"""Reading an EHR's FHIR resources leniently: unknown elements are dropped and logged.

The ``fhir.resources`` models forbid elements FHIR R4 does not define. EHRs send such
elements all the time (an element from a newer FHIR version, a vendor extension put where
it does not belong), and refusing the whole call for one of them would lose what the rest
says, a red flag included. So an unknown element is removed from a copy of the resource and
the resource validated again, at most ``MAX_ROUNDS`` times; the locations of what was dropped
are returned for the caller to log once (and logged here at DEBUG).
Anything else that is invalid (a wrong type, a bad date, a missing required element) still
raises the model's ``ValidationError``: the resource means something BackPath cannot tell.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

logger = logging.getLogger(__name__)
MAX_ROUNDS = 4
_UNKNOWN = "extra_forbidden"


@dataclass(frozen=True)
class Lenient:
    model: FHIRAbstractModel
    raw: dict[str, Any]
    """The resource as validated: the input, or a copy without the dropped elements."""
    dropped: tuple[str, ...]
    """Locations of the elements dropped, e.g. ``prefetch.conditions.entry[0].resource.x``."""


def _path(location: str, loc: tuple[int | str, ...]) -> str:
    text = location
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _drop(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the element at ``loc``; False when ``loc`` does not lead to one."""
    *parents, last = loc
    for part in parents:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        in_object = isinstance(part, str) and isinstance(data, dict) and part in data
        if not (in_list or in_object):
            return False
        data = data[part]
    if isinstance(last, str) and isinstance(data, dict) and last in data:
        del data[last]
        return True
    return False


def validate_leniently(
    model: type[FHIRAbstractModel], raw: dict[str, Any], location: str
) -> Lenient:
    """``model`` validated from ``raw``, unknown elements dropped (see the module docstring).

    Raises ``ValidationError`` for any other fault, or when unknown elements keep coming
    after ``MAX_ROUNDS`` rounds.
    """
    data = raw
    dropped: list[str] = []
    for _ in range(MAX_ROUNDS):
        try:
            parsed = model.model_validate(data)
        except ValidationError as exc:
            unknown = [e["loc"] for e in exc.errors() if e["type"] == _UNKNOWN]
            if not unknown:
                raise
            if data is raw:
                data = copy.deepcopy(raw)
            removed = [loc for loc in unknown if _drop(data, tuple(loc))]
            if not removed:
                raise
            dropped += [_path(location, tuple(loc)) for loc in removed]
            continue
        if dropped:
            logger.debug("FHIR elements BackPath does not know were ignored: %s", dropped)
        return Lenient(parsed, data, tuple(dropped))
    return Lenient(model.model_validate(data), data, tuple(dropped))
