"""The stable JSON contract (intake and plan schemas), shipped with the package.

These are copies of ``shared/contract``; a test keeps them identical. Treatment ids and
condition tags are read from here so that code and data never drift from the contract.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def schema(name: str) -> dict[str, Any]:
    """Return the parsed schema ``intake`` or ``plan``."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def treatment_ids() -> tuple[str, ...]:
    """Every treatment id of the contract, in contract order."""
    return tuple(schema("plan")["$defs"]["treatment_id"]["enum"])


def condition_tags() -> tuple[str, ...]:
    """Every condition tag an intake may carry."""
    return tuple(schema("intake")["properties"]["conditions"]["items"]["enum"])


def red_flag_ids() -> tuple[str, ...]:
    return tuple(schema("intake")["properties"]["red_flags"]["properties"])


def not_recommended_reasons() -> tuple[str, ...]:
    items = schema("plan")["properties"]["not_recommended"]["items"]
    return tuple(items["properties"]["reason"]["enum"])
