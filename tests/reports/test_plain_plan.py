"""The plan in the patient's words: what a patient is shown of the recommended items."""

from __future__ import annotations

import json

from backpath.engine import assess_and_plan
from backpath.engine.stored_plan import read_stored_plan
from backpath.knowledge import load_knowledge
from backpath.reports import plain_plan
from tests.conftest import ROOT


def test_specialist_procedures_reach_the_patient_only_once_referred() -> None:
    intake = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text())
    intake["episode"] |= {"leg_pain": "below_knee", "suspected_cause": "herniated_disc"}
    plan = read_stored_plan(assess_and_plan(intake).to_json_dict())
    knowledge = load_knowledge()
    kinds = {i.treatment: knowledge.treatments[i.treatment].category for i in plan.recommended}
    interventional = {t for t, kind in kinds.items() if kind == "interventional"}
    assert interventional  # the chronic plan lists a specialist option
    shown = {i.treatment for i in plain_plan.for_the_patient(plan)}
    assert not interventional & shown and shown < {i.treatment for i in plan.recommended}
    referred = plan.model_copy(update={"triage": plan.triage.model_copy(
        update={"disposition": "referral_with_plan"})})  # fmt: skip
    assert interventional <= {i.treatment for i in plain_plan.for_the_patient(referred)}
