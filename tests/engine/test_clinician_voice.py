"""The plan's clinician-facing texts speak about the patient, never to them.

An item's ``why`` and ``precautions`` and the plan's ``notes`` are read by the clinician (plan
page, printout, FHIR, CDS); the patient's own pages read the treatment card's plain text
(``reports.plain_plan``), which speaks to the patient.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.engine import PROFILES, Plan, assess_and_plan
from backpath.engine.stored_plan import read_stored_plan
from backpath.reports import plain_plan
from tests.strategies import intakes

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself|you're|you've|you'll)\b", re.IGNORECASE)


def clinician_texts(plan: Plan) -> list[tuple[str, str]]:
    """(where, text) for every clinician-facing text of a plan."""
    texts = []
    for r in plan.recommended:
        texts.append((f"recommended {r.treatment} why", r.why))
        texts += [(f"recommended {r.treatment} precaution", p) for p in r.precautions]
    texts += [(f"not recommended {n.treatment} why", n.why) for n in plan.not_recommended]
    texts += [("note", n) for n in plan.notes]
    return texts


def addressed_to_the_patient(plan: Plan) -> list[str]:
    texts = clinician_texts(plan)
    return [f"{where}: {text}" for where, text in texts if SECOND_PERSON.search(text)]


def test_the_check_catches_a_text_that_speaks_to_the_patient() -> None:
    plan = assess_and_plan(json.loads(EXAMPLES[0].read_text("utf-8")))
    spoken = plan.model_copy(update={"notes": [*plan.notes, "Keep your back moving."]})
    assert addressed_to_the_patient(spoken) == ["note: Keep your back moving."]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_example_plan_speaks_to_the_patient_in_its_clinician_texts(
    example: Path, profile: str
) -> None:
    plan = assess_and_plan(json.loads(example.read_text("utf-8")), profile)  # type: ignore[arg-type]
    assert addressed_to_the_patient(plan) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=intakes(), profile=st.sampled_from(PROFILES))
def test_no_generated_plan_speaks_to_the_patient_in_its_clinician_texts(
    data: dict[str, Any], profile: str
) -> None:
    plan = assess_and_plan(data, profile)  # type: ignore[arg-type]
    assert addressed_to_the_patient(plan) == []


def test_the_patients_plain_plan_still_speaks_to_the_patient() -> None:
    example = Path(__file__).parents[2] / "examples" / "chronic_low_back_pain.json"
    plan = assess_and_plan(json.loads(example.read_text("utf-8")))
    stored = read_stored_plan(plan.to_json_dict())
    items = [item for line in plain_plan.lines(stored) for item in line.items]
    assert items
    spoken = [
        item["treatment"]
        for item in items
        if SECOND_PERSON.search(f"{item['description']} {item['what_to_expect']}")
    ]
    assert len(spoken) > len(items) // 2, spoken
    assert SECOND_PERSON.search(" ".join(plain_plan.education().values()))
