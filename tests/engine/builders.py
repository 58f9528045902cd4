"""Builders shared by the engine tests: a plan for an intake, and one item of it."""

from __future__ import annotations

from typing import Any

from backpath.engine import assess_and_plan


def plan_of(data: dict[str, Any], profile: str = "consensus") -> dict[str, Any]:
    return assess_and_plan(data, profile).to_json_dict()  # type: ignore[arg-type]


def item(plan: dict[str, Any], treatment: str) -> dict[str, Any]:
    """The recommended or left-out entry for ``treatment``; fails the test when it is absent."""
    for entry in plan["recommended"] + plan["not_recommended"]:
        if entry["treatment"] == treatment:
            return entry
    raise AssertionError(f"{treatment} missing from the plan")
