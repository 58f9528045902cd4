"""Red-flag screen: each flag's disposition, combinations, and severity properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpath import contract
from backpath.errors import InvalidInput
from backpath.instruments import red_flags
from backpath.instruments.red_flags import Disposition, severity

EXPECTED: dict[str, tuple[str, Disposition]] = {
    "saddle_anaesthesia": ("cauda_equina", "emergency"),
    "bladder_dysfunction": ("cauda_equina", "emergency"),
    "bowel_incontinence": ("cauda_equina", "emergency"),
    "bilateral_leg_symptoms": ("cauda_equina", "emergency"),
    "progressive_neurological_deficit": ("neurological_deficit", "urgent_referral"),
    "history_of_cancer": ("malignancy", "urgent_referral"),
    "unexplained_weight_loss": ("malignancy", "urgent_referral"),
    "constant_night_pain": ("malignancy", "urgent_referral"),
    "fever_or_systemic_illness": ("infection", "urgent_referral"),
    "iv_drug_use": ("infection", "urgent_referral"),
    "immunosuppressed": ("infection", "urgent_referral"),
    "major_trauma": ("fracture", "urgent_referral"),
    "minor_trauma_with_osteoporosis": ("fracture", "urgent_referral"),
    "long_term_corticosteroids": ("fracture", "urgent_referral"),
    "inflammatory_features": ("axial_spondyloarthritis", "referral_with_plan"),
}
FLAGS = tuple(EXPECTED)
answer_sets = st.dictionaries(st.sampled_from(FLAGS), st.booleans())


def test_the_flags_are_exactly_the_intake_red_flags() -> None:
    assert set(red_flags.flag_ids()) == set(contract.red_flag_ids()) == set(FLAGS)


def test_dispositions_are_ordered_like_the_plan_contract() -> None:
    enum = contract.schema("plan")["properties"]["triage"]["properties"]["disposition"]["enum"]
    assert list(red_flags.DISPOSITIONS) == enum


def test_no_answers_means_proceed_with_no_reasons() -> None:
    result = red_flags.score({})
    assert (result.disposition, result.suspected, result.reasons) == ("proceed", (), ())
    assert result.flags_present == ()


def test_all_flags_false_means_proceed() -> None:
    assert red_flags.score(dict.fromkeys(FLAGS, False)).disposition == "proceed"


@pytest.mark.parametrize("flag", FLAGS)
def test_each_flag_alone_gives_its_own_disposition(flag: str) -> None:
    suspect, disposition = EXPECTED[flag]
    result = red_flags.score({flag: True})
    assert result.disposition == disposition
    assert result.suspected == (suspect,)
    assert result.flags_present == (flag,)
    assert [r.id for r in result.reasons] == [flag]
    assert result.reasons[0].action


def test_cauda_equina_tells_the_person_to_go_to_an_emergency_department_now() -> None:
    action = red_flags.score({"saddle_anaesthesia": True}).reasons[0].action
    assert "emergency department now" in action


def test_cancer_history_with_worsening_neurology_is_an_emergency() -> None:
    result = red_flags.score({"history_of_cancer": True, "progressive_neurological_deficit": True})
    assert result.disposition == "emergency"
    assert [r.id for r in result.reasons] == [
        "cancer_with_neurological_deficit",
        "progressive_neurological_deficit",
        "history_of_cancer",
    ]
    assert result.suspected == (
        "malignancy",
        "metastatic_spinal_cord_compression",
        "neurological_deficit",
    )
    assert "spinal cord compression" in result.reasons[0].action
    assert "nice_ng234" in result.reasons[0].sources


CORD_SIGNS = ("progressive_neurological_deficit", "bilateral_leg_symptoms", "bladder_dysfunction",
              "bowel_incontinence", "saddle_anaesthesia")  # fmt: skip


@pytest.mark.parametrize("sign", CORD_SIGNS)
def test_cancer_with_any_cord_or_sphincter_sign_is_suspected_cord_compression(sign: str) -> None:
    result = red_flags.score({"history_of_cancer": True, sign: True})
    assert result.disposition == "emergency"
    assert result.reasons[0].id == "cancer_with_neurological_deficit"
    assert result.reasons[0].timeframe == "immediately"
    assert "metastatic_spinal_cord_compression" in result.suspected


def test_cancer_history_alone_is_an_urgent_review_within_24_hours() -> None:
    (reason,) = red_flags.score({"history_of_cancer": True}).reasons
    assert (reason.disposition, reason.timeframe) == ("urgent_referral", "within_24_hours")
    assert "within 24 hours" in reason.action and "nice_ng234" in reason.sources
    assert reason.safety_net and "emergency department" in reason.safety_net


def test_every_rule_has_a_timeframe_of_its_own_disposition_and_no_emergency_safety_net() -> None:
    scoring = red_flags.definition().scoring
    for rule in (*scoring.flags.values(), *scoring.combinations):
        assert red_flags.TIMEFRAMES[rule.timeframe][0] == rule.disposition
        assert rule.disposition != "emergency" or rule.safety_net is None


def test_a_rule_whose_timeframe_disagrees_with_its_disposition_is_rejected() -> None:
    with pytest.raises(ValueError, match="belongs to emergency"):
        red_flags.Rule(suspects=("fracture",), disposition="urgent_referral",
                       timeframe="immediately", action="Go now.", public_action="Go now.",
                       sources=("x",))  # fmt: skip
    with pytest.raises(ValueError, match="no safety net"):
        red_flags.Rule(suspects=("fracture",), disposition="emergency", timeframe="immediately",
                       action="Go now.", public_action="Go now.", safety_net="If worse, go.",
                       sources=("x",))  # fmt: skip


def test_no_urgent_action_sends_the_person_to_an_emergency_department_now() -> None:
    scoring = red_flags.definition().scoring
    for rule in (*scoring.flags.values(), *scoring.combinations):
        if rule.disposition != "emergency":
            assert "department now" not in rule.action and "at once" not in rule.action
        else:
            assert "within days" not in rule.action


def test_cancer_history_alone_does_not_fire_the_combination() -> None:
    result = red_flags.score({"history_of_cancer": True, "progressive_neurological_deficit": False})
    assert result.disposition == "urgent_referral"
    assert [r.id for r in result.reasons] == ["history_of_cancer"]


def test_reasons_are_ordered_most_severe_first() -> None:
    result = red_flags.score(
        {
            "inflammatory_features": True,
            "fever_or_systemic_illness": True,
            "bowel_incontinence": True,
        }
    )
    assert [r.disposition for r in result.reasons] == [
        "emergency",
        "urgent_referral",
        "referral_with_plan",
    ]
    assert result.suspected == ("axial_spondyloarthritis", "cauda_equina", "infection")


@given(answer_sets)
def test_the_disposition_is_the_most_severe_of_the_flags_present(answers: dict[str, bool]) -> None:
    present = [f for f, v in answers.items() if v]
    result = red_flags.score(answers)
    worst = max((severity(EXPECTED[f][1]) for f in present), default=0)
    if "history_of_cancer" in present and set(CORD_SIGNS) & set(present):
        worst = severity("emergency")
    assert severity(result.disposition) == worst
    assert set(result.flags_present) == set(present)
    assert list(result.suspected) == sorted(set(result.suspected))


@given(answer_sets, st.sampled_from(FLAGS))
def test_an_absent_flag_never_raises_severity(answers: dict[str, bool], flag: str) -> None:
    without = {k: v for k, v in answers.items() if k != flag}
    assert red_flags.score({**without, flag: False}) == red_flags.score(without)


@given(answer_sets, st.sampled_from(FLAGS))
def test_adding_a_flag_never_lowers_severity(answers: dict[str, bool], flag: str) -> None:
    before = red_flags.score(answers).disposition
    after = red_flags.score({**answers, flag: True}).disposition
    assert severity(after) >= severity(before)


def test_an_unknown_flag_is_rejected_listing_the_allowed_flags() -> None:
    with pytest.raises(InvalidInput) as caught:
        red_flags.score({"headache": True})
    assert caught.value.field == "red_flags.headache"
    assert caught.value.message.startswith("unknown red flag 'headache'; allowed: ")
    assert all(flag in caught.value.message for flag in FLAGS)


@pytest.mark.parametrize("value", [1, 0, "yes", None])
def test_a_flag_that_is_not_true_or_false_is_rejected(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        red_flags.score({"iv_drug_use": value})
    assert caught.value.field == "red_flags.iv_drug_use"
    assert caught.value.message == f"must be true or false, got {value!r}"


@pytest.mark.parametrize("answers", [["saddle_anaesthesia"], "saddle_anaesthesia", None])
def test_answers_that_are_not_a_mapping_are_rejected(answers: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        red_flags.score(answers)
    assert caught.value.field == "red_flags"


def test_every_rule_cites_a_source() -> None:
    scoring = red_flags.definition().scoring
    assert all(rule.sources for rule in scoring.flags.values())
    assert "nice_ng65" in scoring.flags["inflammatory_features"].sources


JARGON = ("cauda equina", "metasta", "oncology", "MRI", "vertebra", "spondylo", "neurosurg",
          "saddle", "anaesthesia", "proceed", "imaging", "rheumatology", "disposition")  # fmt: skip


def test_every_rule_tells_the_public_in_everyday_words() -> None:
    from backpath.knowledge import load_knowledge

    scoring = red_flags.definition().scoring
    rules = (*scoring.flags.values(), *scoring.combinations, *load_knowledge().triage.rules)
    for rule in rules:
        words = rule.public_action.lower()
        assert not [j for j in JARGON if j.lower() in words], rule.public_action
        assert rule.public_action != rule.action
