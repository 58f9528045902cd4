"""CDS Hooks calls for the tests: the stored example requests, a searchset, the red-flag
example's patient with a prefetch of the test's own, and the cards BackPath answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from backpath.interop import cds_hooks

EXAMPLES = Path(__file__).parent / "cds_examples"
TODAY = date(2026, 1, 5)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return data


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def request(**prefetch: Any) -> dict[str, Any]:
    """The red-flag example's patient with nothing known, then ``prefetch`` on top."""
    data = example("request_red_flags")
    data["prefetch"] = {
        "patient": data["prefetch"]["patient"],
        "conditions": None,
        "observations": None,
        "medications": None,
        **prefetch,
    }
    return data


def cards(data: dict[str, Any]) -> list[dict[str, Any]]:
    call = cds_hooks.parse_request(json.dumps(data))
    response = cds_hooks.build_cards(cds_hooks.gather(call), today=TODAY)
    found: list[dict[str, Any]] = response.to_json()["cards"]
    return found
