"""DESIGN.md's clinical safety rules restated independently of the engine (from the contract
and the knowledge data), for the property tests: what a plan must say for a given intake.

Shared by the intake properties (``test_safety_properties``) and the clinician-edit
properties (``test_edit_safety_properties``), so a bug in the engine cannot also hide in
the check, and the check is written once.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from backpath import contract
from backpath.instruments import red_flags
from backpath.knowledge import load_knowledge

CES_FLAGS = {
    "saddle_anaesthesia",
    "bladder_dysfunction",
    "bowel_incontinence",
    "bilateral_leg_symptoms",
}
SEVERITY = {"proceed": 0, "referral_with_plan": 1, "urgent_referral": 2, "emergency": 3}
EXERCISE = {"general_exercise", "physical_therapy", "yoga", "pilates", "tai_chi"}
PSYCHOLOGICAL = {"cbt", "mindfulness_meditation", "progressive_relaxation", "biofeedback",
                 "multidisciplinary_rehabilitation"}  # fmt: skip
INTERVENTIONAL = {
    "epidural_steroid_injection", "facet_joint_injection", "nerve_block",
    "radiofrequency_ablation", "spinal_cord_stimulation",
}  # fmt: skip


INTAKE_SCHEMA = Draft202012Validator(contract.schema("intake"))
PLAN_SCHEMA = Draft202012Validator(contract.schema("plan"))


# Triage (safety rules 1 and 9; NICE NG234, IFOMPT 2020), restated from the issue.
CORD_SIGNS = CES_FLAGS | {"progressive_neurological_deficit"}
SAME_DAY = {"progressive_neurological_deficit", "fever_or_systemic_illness", "iv_drug_use",
            "immunosuppressed", "major_trauma"}  # fmt: skip
THORACIC = {"mid_back", "upper_back", "whole_back"}
WEAK_ALONE = {  # weak on its own in these phases, unless over 50 with a first episode
    "constant_night_pain": ({"acute", "subacute", "chronic"}, True),
    "long_term_corticosteroids": ({"subacute", "chronic"}, True),
    "immunosuppressed": ({"subacute", "chronic"}, False),
}
WEAK_CONCERN = {"constant_night_pain": "night_pain_alone",
                "long_term_corticosteroids": "corticosteroids_alone",
                "immunosuppressed": "immunosuppressed_alone"}  # fmt: skip


def phase(data: dict[str, Any]) -> str:
    weeks = data["episode"]["duration_weeks"]
    return "acute" if weeks < 4 else "subacute" if weeks <= 12 else "chronic"


def flags_present(data: dict[str, Any]) -> set[str]:
    """Red flags answered yes, and a cancer history wherever active cancer is on the list."""
    present = {f for f, v in data.get("red_flags", {}).items() if v}
    if "active_cancer" in data.get("conditions", []):
        present.add("history_of_cancer")
    return present


def older_first_episode(data: dict[str, Any]) -> bool:
    return data["patient"]["age"] > 50 and data["episode"].get("prior_episodes") in (0, None)


def weak_flag_alone(data: dict[str, Any]) -> str | None:
    """The one flag present when it is a concern rather than an urgent referral."""
    present = flags_present(data)
    if len(present) != 1 or next(iter(present)) not in WEAK_ALONE:
        return None
    flag = next(iter(present))
    phases, age_escalates = WEAK_ALONE[flag]
    if phase(data) not in phases or (age_escalates and older_first_episode(data)):
        return None
    return flag


def expected_disposition(data: dict[str, Any]) -> str:
    present = flags_present(data)
    cancer = "history_of_cancer" in present
    radicular = data["episode"].get("leg_pain") == "below_knee"
    if present & CES_FLAGS or (cancer and (present & CORD_SIGNS or radicular)):
        return "emergency"
    if weak_flag_alone(data):
        return "proceed"
    if present - {"inflammatory_features"}:
        return "urgent_referral"
    return "referral_with_plan" if present else "proceed"


def expected_timeframe(data: dict[str, Any]) -> str | None:
    disposition = expected_disposition(data)
    present = flags_present(data)
    if disposition == "urgent_referral":
        if present & SAME_DAY:
            return "same_day"
        return "within_24_hours" if "history_of_cancer" in present else "within_days"
    return {"emergency": "immediately", "referral_with_plan": "routine"}.get(disposition)


def expected_concerns(data: dict[str, Any]) -> set[str]:
    if expected_disposition(data) == "emergency":
        return set()  # the emergency comes first
    concerns = {WEAK_CONCERN[f]} if (f := weak_flag_alone(data)) else set()
    if older_first_episode(data):
        concerns.add("older_first_episode")
    if data["patient"]["age"] < 20:
        concerns.add("younger_than_20")
    return concerns


def expected_contradictions(data: dict[str, Any]) -> set[str]:
    patient, tags = data["patient"], set(data.get("conditions", []))
    found = set()
    if "active_cancer" in tags and data.get("red_flags", {}).get("history_of_cancer") is False:
        found.add("active_cancer_but_no_history_of_cancer")
    pregnancy = "pregnancy" in tags or patient.get("pregnant") is True
    if pregnancy and patient.get("sex") == "male":
        found.add("pregnancy_for_male")
    if "pregnancy" in tags and patient.get("pregnant") is False:
        found.add("pregnancy_tag_but_not_pregnant")
    return found


def action_dispositions() -> dict[str, str]:
    """Each action text of the triage data, with the disposition it is written for."""
    scoring = red_flags.definition().scoring
    rules = [*scoring.flags.values(), *scoring.combinations, *load_knowledge().triage.rules]
    return {" ".join(r.action.split()): r.disposition for r in rules}


def check_triage(data: dict[str, Any], plan: dict[str, Any]) -> None:
    """Rule 9: triage uses everything the intake says, and what it prints agrees with itself."""
    triage = plan["triage"]
    disposition = triage["disposition"]
    assert disposition == expected_disposition(data)
    assert triage.get("timeframe") == expected_timeframe(data)
    assert {c["id"] for c in triage["concerns"]} == expected_concerns(data)
    assert {c["id"] for c in triage["contradictions"]} == expected_contradictions(data)
    # Every action is one written for the final disposition; conditional advice stays apart.
    written_for = action_dispositions()
    assert all(written_for[a] == disposition for a in triage["actions"])
    assert bool(triage["actions"]) == (disposition != "proceed")
    for action in triage["actions"]:
        if disposition == "emergency":
            assert "within days" not in action
        else:
            assert "department now" not in action and "at once" not in action
    if disposition == "emergency":
        assert triage["safety_net"] == []
    # A concern brings the review forward.
    if "review_in_weeks" in plan and triage["concerns"]:
        days = min(c["review_within_days"] for c in triage["concerns"])
        assert plan["review_in_weeks"] <= days / 7


def derived_conditions(data: dict[str, Any]) -> set[str]:
    tags = set(data.get("conditions", []))
    episode = data["episode"]
    if data["patient"].get("pregnant"):  # a recorded pregnancy is kept whatever else disagrees
        tags.add("pregnancy")
    if data["patient"]["age"] >= 65:
        tags.add("older_adult")
    if episode.get("suspected_cause") == "spondylolisthesis":
        tags.add("spondylolisthesis")
    if episode.get("region") in ("mid_back", "upper_back", "whole_back"):
        tags.add("thoracic_pain")
    if data.get("red_flags", {}).get("inflammatory_features"):
        tags.add("inflammatory_back_pain")
    return tags


def tried(data: dict[str, Any], treatments: set[str], weeks: float = 0) -> bool:
    """One of ``treatments`` was tried for ``weeks`` or more without enough benefit."""
    return any(
        p["treatment"] in treatments and p["weeks"] >= weeks
        and p["response"] in ("none", "partial", "adverse")
        for p in data.get("prior_treatments", [])
    )  # fmt: skip


def pain(data: dict[str, Any]) -> int:
    return max(data["pain"]["nrs_now"], data["pain"].get("nrs_week_average", 0))


def procedure_indicated(t: str, data: dict[str, Any], phase: str) -> bool:
    """Rule 3 restated from NICE NG59 and TA159: where each procedure may be referred for."""
    ep = data["episode"]
    if t == "epidural_steroid_injection":  # acute or subacute severe sciatica, not stenosis
        return (
            phase in ("acute", "subacute") and ep.get("leg_pain") == "below_knee"
            and pain(data) >= 7 and ep.get("suspected_cause") != "spinal_stenosis"
        )  # fmt: skip
    if phase != "chronic" or not adequate_conservative_care(data):
        return False
    if t == "spinal_cord_stimulation":  # neuropathic leg pain for 6 months or more
        return ep.get("leg_pain") == "below_knee" and ep["duration_weeks"] >= 26
    # facet procedures: a facet presumption, after exercise-based and psychological care
    return ep.get("suspected_cause") == "facet_joint" and tried(data, PSYCHOLOGICAL, 6)


def adequate_conservative_care(data: dict[str, Any]) -> bool:
    return any(
        p["treatment"] in EXERCISE | {"multidisciplinary_rehabilitation"}
        and p["weeks"] >= 6
        and p["response"] in ("none", "partial")
        for p in data.get("prior_treatments", [])
    )


def no_pain_or_disability(data: dict[str, Any]) -> bool:
    """NRS 0 now and this week, Oswestry 20% or less and Roland-Morris 4 or less if given."""
    q = data.get("questionnaires", {})
    odi = q.get("odi")
    answered = [x for x in odi or [] if x is not None]
    odi_ok = odi is None or len(answered) < 8 or sum(answered) * 100 / (5 * len(answered)) <= 20
    rmdq_ok = q.get("rmdq") is None or sum(q["rmdq"]) <= 4
    return pain(data) == 0 and odi_ok and rmdq_ok
