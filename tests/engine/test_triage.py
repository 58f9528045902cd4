"""Triage from everything the intake says (issue 9, part 1): one worked case per rule.

The rules are restated for every generated intake in ``test_safety_properties`` and in the
properties at the end of this file.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpath.engine import assess, parse_intake
from backpath.errors import KnowledgeBaseError
from backpath.knowledge import load_from, load_knowledge
from tests.conftest import ROOT, make_intake
from tests.engine.builders import plan_of
from tests.strategies import intakes

DATA = ROOT / "src" / "backpath" / "knowledge" / "data"


def triage_of(data: dict[str, Any]) -> dict[str, Any]:
    triage: dict[str, Any] = plan_of(data)["triage"]
    return triage


def ids(entries: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries]


# Known conditions drive triage (NICE NG234)


def test_active_cancer_on_the_condition_list_is_an_urgent_review_within_24_hours() -> None:
    data = make_intake(conditions=["active_cancer"])
    del data["red_flags"]["history_of_cancer"]
    triage = triage_of(data)
    assert (triage["disposition"], triage["timeframe"]) == ("urgent_referral", "within_24_hours")
    assert "malignancy" in triage["suspected"]
    assert "active_cancer on the condition list counts as history_of_cancer" in triage["reasons"]
    assert "history_of_cancer" not in triage["unscreened"]
    assert any("within 24 hours" in a for a in triage["actions"])
    assert any("emergency department" in s for s in triage["safety_net"])


def test_a_cancer_history_on_the_screen_is_an_urgent_review_within_24_hours() -> None:
    plan = plan_of(make_intake(red_flags={"history_of_cancer": True}))
    assert plan["triage"]["timeframe"] == "within_24_hours"
    assert plan["notes"][0].startswith("Urgent referral: specialist assessment within 24 hours.")


@pytest.mark.parametrize("cancer", [{"conditions": ["active_cancer"]},
                                    {"red_flags": {"history_of_cancer": True}}])  # fmt: skip
def test_cancer_with_radicular_leg_pain_is_suspected_cord_compression(
    cancer: dict[str, Any],
) -> None:
    plan = plan_of(make_intake(episode={"leg_pain": "below_knee"}, **cancer))
    triage = plan["triage"]
    assert (triage["disposition"], triage["timeframe"]) == ("emergency", "immediately")
    assert "cancer_with_radicular_pain" in triage["reasons"]
    assert "metastatic_spinal_cord_compression" in triage["suspected"]
    assert all("now" in a and "within days" not in a for a in triage["actions"])
    assert triage["safety_net"] == [] and plan["recommended"] == []


@pytest.mark.parametrize("sign", ["progressive_neurological_deficit", "bladder_dysfunction",
                                  "bowel_incontinence", "bilateral_leg_symptoms"])  # fmt: skip
def test_active_cancer_with_weakness_or_sphincter_change_is_an_emergency(sign: str) -> None:
    triage = triage_of(make_intake(conditions=["active_cancer"], red_flags={sign: True}))
    assert triage["disposition"] == "emergency"
    assert triage["reasons"][0] == "cancer_with_neurological_deficit"
    assert any("acute oncology" in a for a in triage["actions"])


@pytest.mark.parametrize("region", ["mid_back", "upper_back", "whole_back"])
def test_thoracic_pain_with_cancer_is_reviewed_within_24_hours(region: str) -> None:
    triage = triage_of(make_intake(conditions=["active_cancer"], episode={"region": region}))
    assert (triage["disposition"], triage["timeframe"]) == ("urgent_referral", "within_24_hours")
    assert triage["reasons"][0] == "cancer_with_thoracic_pain"


def test_above_knee_leg_pain_with_cancer_stays_urgent_not_emergency() -> None:
    triage = triage_of(
        make_intake(conditions=["active_cancer"], episode={"leg_pain": "above_knee"})
    )
    assert triage["disposition"] == "urgent_referral"


# Contradictions are named and resolved towards safety


def test_active_cancer_with_no_cancer_history_on_the_screen_is_named_and_treated_as_cancer() -> (
    None
):
    data = make_intake(conditions=["active_cancer"])  # the screen says history_of_cancer: false
    triage = triage_of(data)
    assert ids(triage["contradictions"]) == ["active_cancer_but_no_history_of_cancer"]
    assert "Treated as cancer" in triage["contradictions"][0]["resolution"]
    assert triage["disposition"] == "urgent_referral"
    assert "active_cancer" in assess(parse_intake(data)).conditions


PREGNANCY_RECORDS = [{"conditions": ["pregnancy"]}, {"patient": {"age": 30, "pregnant": True}}]


@pytest.mark.parametrize("record", PREGNANCY_RECORDS)
def test_pregnancy_recorded_for_a_male_is_named_and_the_precautions_kept(
    record: dict[str, Any],
) -> None:
    data = make_intake(**record)
    data["patient"]["sex"] = "male"
    plan = plan_of(data)
    assert "pregnancy_for_male" in ids(plan["triage"]["contradictions"])
    assert "pregnancy" in assess(parse_intake(data)).conditions
    nsaids = next(n for n in plan["not_recommended"] if n["treatment"] == "nsaids")
    assert nsaids["reason"] == "contraindicated"


def test_the_pregnancy_tag_with_pregnant_false_is_named_and_pregnancy_kept() -> None:
    data = make_intake(conditions=["pregnancy"], patient={"pregnant": False})
    triage = triage_of(data)
    assert ids(triage["contradictions"]) == ["pregnancy_tag_but_not_pregnant"]
    assert "pregnancy" in assess(parse_intake(data)).conditions


def test_an_intake_that_agrees_with_itself_names_no_contradiction() -> None:
    data = make_intake(conditions=["pregnancy"], patient={"pregnant": True})
    assert triage_of(data)["contradictions"] == []


# Weak single flags are a named concern, not an urgent referral (IFOMPT 2020)


@pytest.mark.parametrize(
    ("flag", "concern", "days"),
    [
        ("constant_night_pain", "night_pain_alone", 14),
        ("long_term_corticosteroids", "corticosteroids_alone", 14),
        ("immunosuppressed", "immunosuppressed_alone", 7),
    ],
)
def test_a_weak_flag_alone_in_long_standing_pain_is_a_concern_with_a_review_date(
    flag: str, concern: str, days: int
) -> None:
    plan = plan_of(make_intake(red_flags={flag: True}))
    triage = plan["triage"]
    assert triage["disposition"] == "proceed" and triage["actions"] == []
    assert ids(triage["concerns"]) == [concern]
    assert triage["concerns"][0]["review_within_days"] == days
    assert "finucane2020" in triage["concerns"][0]["sources"]
    assert flag in triage["reasons"]
    assert plan["review_in_weeks"] == days / 7
    assert any(r["treatment"] == "physical_therapy" for r in plan["recommended"])


def test_night_pain_alone_is_a_concern_in_acute_pain_too() -> None:
    data = make_intake(red_flags={"constant_night_pain": True}, episode={"duration_weeks": 1})
    assert triage_of(data)["disposition"] == "proceed"


@pytest.mark.parametrize("flag", ["long_term_corticosteroids", "immunosuppressed"])
def test_steroids_or_immunosuppression_with_new_acute_pain_stay_urgent(flag: str) -> None:
    data = make_intake(red_flags={flag: True}, episode={"duration_weeks": 1})
    assert triage_of(data)["disposition"] == "urgent_referral"


@pytest.mark.parametrize(
    ("flags", "suspect"),
    [
        ({"immunosuppressed": True, "fever_or_systemic_illness": True}, "infection"),
        ({"long_term_corticosteroids": True, "minor_trauma_with_osteoporosis": True}, "fracture"),
        ({"constant_night_pain": True, "unexplained_weight_loss": True}, "malignancy"),
    ],
)
def test_a_weak_flag_with_another_flag_still_escalates(
    flags: dict[str, bool], suspect: str
) -> None:
    triage = triage_of(make_intake(red_flags=flags))
    assert triage["disposition"] == "urgent_referral" and suspect in triage["suspected"]
    assert triage["concerns"] == []


def test_night_pain_over_50_with_a_first_episode_keeps_its_urgent_rule() -> None:
    data = make_intake(
        patient={"age": 62}, episode={"prior_episodes": 0}, red_flags={"constant_night_pain": True}
    )
    triage = triage_of(data)
    assert triage["disposition"] == "urgent_referral"
    assert ids(triage["concerns"]) == ["older_first_episode"]


def test_a_weak_flag_with_active_cancer_is_not_alone() -> None:
    data = make_intake(conditions=["active_cancer"], red_flags={"constant_night_pain": True})
    assert triage_of(data)["disposition"] == "urgent_referral"


@pytest.mark.parametrize(
    ("patient", "prior", "expected"),
    [
        ({"age": 51}, 0, ["older_first_episode"]),
        ({"age": 51}, None, ["older_first_episode"]),  # not recorded: look closer
        ({"age": 51}, 2, []),
        ({"age": 50}, 0, []),
        ({"age": 19}, 3, ["younger_than_20"]),
        ({"age": 20}, 0, []),
    ],
)
def test_age_over_50_with_a_first_episode_or_under_20_is_a_named_concern(
    patient: dict[str, Any], prior: int | None, expected: list[str]
) -> None:
    data = make_intake(patient=patient)
    if prior is not None:
        data["episode"]["prior_episodes"] = prior
    plan = plan_of(data)
    assert plan["triage"]["disposition"] == "proceed"
    assert ids(plan["triage"]["concerns"]) == expected
    assert plan["review_in_weeks"] == (4 if expected else 6)


def test_an_emergency_lists_no_concern_because_the_emergency_comes_first() -> None:
    data = make_intake(patient={"age": 70}, red_flags={"saddle_anaesthesia": True})
    assert triage_of(data)["concerns"] == []


# Every action printed agrees with the final disposition


def test_an_emergency_prints_no_lower_urgency_action_or_safety_net() -> None:
    data = make_intake(
        red_flags={"saddle_anaesthesia": True, "major_trauma": True, "inflammatory_features": True}
    )
    triage = triage_of(data)
    assert triage["disposition"] == "emergency" and triage["safety_net"] == []
    assert len(triage["actions"]) == 1 and "emergency department now" in triage["actions"][0]
    assert {"major_trauma", "inflammatory_features"} <= set(triage["reasons"])


def test_an_urgent_referral_keeps_emergency_advice_out_of_its_actions() -> None:
    triage = triage_of(make_intake(red_flags={"minor_trauma_with_osteoporosis": True}))
    assert triage["timeframe"] == "within_days"
    assert not any("emergency department" in a for a in triage["actions"])
    assert any("emergency department at once" in s for s in triage["safety_net"])


def test_an_urgent_referral_is_as_soon_as_its_most_urgent_rule() -> None:
    flags = {"minor_trauma_with_osteoporosis": True, "fever_or_systemic_illness": True}
    assert triage_of(make_intake(red_flags=flags))["timeframe"] == "same_day"


def test_a_referral_alongside_the_plan_drops_out_of_an_urgent_triage() -> None:
    flags = {"major_trauma": True, "inflammatory_features": True}
    triage = triage_of(make_intake(red_flags=flags))
    assert not any("rheumatology" in a for a in triage["actions"])


# The data fail loudly when broken


def _broken_copy(tmp_path: Any, edit: Any) -> Any:
    import shutil

    import yaml

    shutil.copytree(DATA, tmp_path / "data")
    path = tmp_path / "data" / "triage.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data))
    return tmp_path / "data"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["rules"][0].update(timeframe="within_days"), "does not belong"),
        (lambda d: d["rules"][0]["when"].update(flags=["headache"]), "unknown red flag"),
        (lambda d: d["rules"][0].update(sources=["nobody2020"]), "unknown source"),
        (lambda d: d["rules"][0].update(suspects=["gout"]), "unknown 'gout'"),
        (lambda d: d["condition_flags"][0].update(condition="cancerous"), "unknown condition"),
    ],
)
def test_a_broken_triage_file_is_rejected_naming_the_problem(
    tmp_path: Any, edit: Any, message: str
) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        load_from(_broken_copy(tmp_path, edit))


def test_every_triage_rule_cites_a_guideline_or_review() -> None:
    kb = load_knowledge()
    rules = kb.triage
    for part in (*rules.rules, *rules.concerns, *rules.condition_flags):
        kinds = {kb.sources[s].kind for s in part.sources}
        assert kinds & {"guideline", "systematic_review", "framework"}, part


# Properties over generated intakes


@settings(max_examples=300, deadline=None)
@given(data=intakes())
def test_active_cancer_is_never_below_an_urgent_review_within_24_hours(
    data: dict[str, Any],
) -> None:
    data["conditions"] = sorted({*data["conditions"], "active_cancer"})
    triage = triage_of(data)
    assert triage["disposition"] in ("emergency", "urgent_referral")
    assert triage["timeframe"] in ("immediately", "same_day", "within_24_hours")
    if data["episode"].get("leg_pain") == "below_knee":
        assert triage["disposition"] == "emergency"


@settings(max_examples=300, deadline=None)
@given(data=intakes(), sex=st.sampled_from(["male", "female", "other", "unknown"]))
def test_a_recorded_pregnancy_is_never_dropped(data: dict[str, Any], sex: str) -> None:
    data["patient"]["sex"] = sex
    stated = "pregnancy" in data["conditions"] or data["patient"].get("pregnant") is True
    conditions = assess(parse_intake(data)).conditions
    assert ("pregnancy" in conditions) == stated
    named = ids(triage_of(data)["contradictions"])
    assert ("pregnancy_for_male" in named) == (stated and sex == "male")
