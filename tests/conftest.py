"""Shared test data: intakes built in code, one persona per clinical situation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from backpath import contract

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

BASE_INTAKE: dict[str, Any] = {
    "schema": "backpath.intake/1",
    "patient": {"age": 45, "sex": "female"},
    "episode": {"duration_weeks": 20, "region": "low_back", "leg_pain": "none",
                "suspected_cause": "nonspecific"},
    "pain": {"nrs_now": 5},
    "red_flags": dict.fromkeys(contract.red_flag_ids(), False),
}  # fmt: skip


def make_intake(**changes: Any) -> dict[str, Any]:
    """A screened, flag-free chronic intake; keyword arguments replace or merge top-level parts."""
    data = copy.deepcopy(BASE_INTAKE)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


@pytest.fixture
def intake() -> dict[str, Any]:
    return make_intake()
