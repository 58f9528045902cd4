"""A patient's report gets the advice of its most severe part, and the urgency data holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from backpath.errors import InvalidInput, KnowledgeBaseError
from backpath.exercises import URGENCIES, load_stop_rules
from backpath.exercises.advice import (
    advice_for,
    load_advice_data,
    load_advice_data_from,
    self_check_advice,
    severity,
    warning_sign_rules,
)
from backpath.knowledge import load_knowledge
from tests.conftest import ROOT

DATA = ROOT / "src" / "backpath" / "exercises" / "data"
CLINICAL_KINDS = {"guideline", "systematic_review", "trial", "framework"}
CAUDA_EQUINA = "red_flag_symptoms"


def test_cauda_equina_signs_in_the_exercise_log_are_an_emergency() -> None:
    advice = advice_for(stop_rules=[CAUDA_EQUINA])
    assert advice.urgency == "emergency"
    assert advice.text.startswith("Go to an emergency department now")
    assert advice.raises_alert


def test_the_stop_rules_are_split_by_urgency() -> None:
    by_urgency = {
        u: {r.id for r in load_stop_rules().values() if r.urgency == u} for u in URGENCIES
    }
    assert CAUDA_EQUINA in by_urgency["emergency"]
    assert {"nerve_signs_worsening", "fall_or_injury", "fever_with_back_pain"} <= by_urgency[
        "urgent"
    ]
    assert {"weight_loss", "severe_pain_worsening", "not_improving"} <= by_urgency["contact_clinic"]
    assert {"pain_worse", "new_pain", "form_lost"} <= by_urgency["none"]


def test_an_ordinary_stop_rule_needs_nobody_to_be_called() -> None:
    advice = advice_for(stop_rules=["pain_worse"])
    assert (advice.urgency, advice.raises_alert) == ("none", False)
    assert "Stop this exercise" in advice.text


def test_a_serious_side_effect_is_same_day_and_a_minor_one_is_for_the_clinic() -> None:
    assert advice_for(side_effect="serious").urgency == "urgent"
    assert advice_for(side_effect="not_serious").urgency == "contact_clinic"


def test_a_warning_sign_ticked_with_a_minor_side_effect_raises_the_urgency() -> None:
    advice = advice_for(side_effect="not_serious", warning_signs=[CAUDA_EQUINA])
    assert advice.urgency == "emergency"
    assert advice.reported == (CAUDA_EQUINA,)


def test_nothing_reported_is_no_urgency_with_a_reminder_of_the_warning_signs() -> None:
    advice = advice_for()
    assert (advice.urgency, advice.reported) == ("none", ())
    assert "warning signs" in advice.text


def test_an_unknown_stop_rule_from_an_old_log_is_passed_to_the_clinic() -> None:
    assert advice_for(stop_rules=["retired_rule"]).urgency == "contact_clinic"


def test_an_unknown_warning_sign_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"warning_signs\[1\]: 'headache' is not one of"):
        advice_for(warning_signs=["weight_loss", "headache"])


def test_warning_signs_are_the_general_rules_that_need_action_most_severe_first() -> None:
    signs = warning_sign_rules()
    assert signs[0].id == CAUDA_EQUINA
    assert all(s.general and s.urgency != "none" for s in signs)
    assert "not_improving" not in {s.id for s in signs}
    assert [severity(s.urgency) for s in signs] == sorted(
        (severity(s.urgency) for s in signs), reverse=True
    )


def test_stop_rules_and_report_advice_cite_only_clinical_evidence() -> None:
    sources = load_knowledge().sources
    for rule in load_stop_rules().values():
        kinds = {sources[s].kind for s in rule.sources}
        assert kinds <= CLINICAL_KINDS, (rule.id, kinds)


RULE_IDS = sorted(load_stop_rules())
SIGN_IDS = [r.id for r in warning_sign_rules()]


@given(
    stop_rules=st.lists(st.sampled_from(RULE_IDS), max_size=5),
    signs=st.lists(st.sampled_from(SIGN_IDS), max_size=4),
    side_effect=st.sampled_from([None, "serious", "not_serious"]),
)
def test_advice_is_always_that_of_the_most_severe_part_reported(
    stop_rules: list[str], signs: list[str], side_effect: str | None
) -> None:
    rules = load_stop_rules()
    effects = load_advice_data().side_effects
    urgencies = [rules[r].urgency for r in [*stop_rules, *signs]]
    if side_effect is not None:
        urgencies.append(effects[side_effect].urgency)  # type: ignore[index]
    advice = advice_for(stop_rules=stop_rules, warning_signs=signs, side_effect=side_effect)  # type: ignore[arg-type]
    expected = max(urgencies, key=severity, default="none")
    assert advice.urgency == expected
    assert advice.raises_alert == (expected != "none")
    for rule_id in [*stop_rules, *signs]:
        if rules[rule_id].urgency == expected:
            assert rules[rule_id].advice.strip() in advice.text


def test_the_advice_file_fails_loudly_on_a_bad_urgency(tmp_path: Path) -> None:
    target = tmp_path / "advice.yaml"
    shutil.copy(DATA / "advice.yaml", target)
    data = yaml.safe_load(target.read_text())
    data["side_effects"]["serious"]["urgency"] = "later"
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match=r"advice\.yaml: side_effects\.serious\.urgency"):
        load_advice_data_from(target)


def test_the_advice_file_needs_every_urgency(tmp_path: Path) -> None:
    target = tmp_path / "advice.yaml"
    data = yaml.safe_load((DATA / "advice.yaml").read_text())
    del data["urgencies"]["urgent"]
    target.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match="'urgent' is missing"):
        load_advice_data_from(target)


def test_a_self_check_emergency_or_urgent_triage_needs_a_person_and_the_rest_do_not() -> None:
    action = "Go to an emergency department now."
    assert self_check_advice("emergency", [action]).as_json() == {
        "urgency": "emergency",
        "text": action,
    }
    assert self_check_advice("urgent_referral", []).urgency == "urgent"
    assert not self_check_advice("proceed", []).raises_alert
    assert not self_check_advice("referral_with_plan", ["See a GP."]).raises_alert


def test_a_self_check_disposition_the_data_does_not_know_counts_as_urgent() -> None:
    assert self_check_advice("urgent_review_within_24_hours", []).urgency == "urgent"
