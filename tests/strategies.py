"""Hypothesis strategies for intakes that follow the contract schema (and its edges)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backpath import contract

AVOID = ("needles", "medication", "manual_therapy", "devices", "supplements", "injections",
         "group_classes")  # fmt: skip


TRIAGE_TAGS = ("active_cancer", "pregnancy")
REGIONS = ("low_back", "mid_back", "upper_back", "whole_back")
CAUSES = (
    "nonspecific", "muscle_strain", "ligament_sprain", "herniated_disc", "spinal_stenosis",
    "degenerative_disc", "osteoarthritis", "facet_joint", "spondylolisthesis", "unknown",
)  # fmt: skip


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid intake: every field optional where the schema allows, edges included."""
    patient = _drop_none({
        "age": draw(st.integers(16, 120)),
        "sex": draw(_optional(st.sampled_from(["female", "male", "other", "unknown"]))),
        "pregnant": draw(_optional(st.booleans())),
        "weight_kg": draw(_optional(st.floats(30, 250))),
        "height_cm": draw(_optional(st.floats(120, 210))),
    })  # fmt: skip
    episode = _drop_none({
        "duration_weeks": draw(st.one_of(
            st.sampled_from([0, 3.99, 4, 12, 12.01]), st.floats(0, 520, allow_nan=False))),
        "region": draw(_optional(st.sampled_from(REGIONS))),
        "leg_pain": draw(_optional(st.sampled_from(["none", "above_knee", "below_knee"]))),
        "suspected_cause": draw(_optional(st.sampled_from(CAUSES))),
        "prior_episodes": draw(_optional(st.integers(0, 20))),
    })  # fmt: skip
    pain = _drop_none(
        {
            "nrs_now": draw(st.integers(0, 10)),
            "nrs_week_average": draw(_optional(st.integers(0, 10))),
        }
    )
    data: dict[str, Any] = {"patient": patient, "episode": episode, "pain": pain}
    # Red flags: mostly all-false (so plans get built), sometimes any subset present or unasked.
    flags = contract.red_flag_ids()
    mode = draw(
        st.sampled_from(["none_present", "none_present", "none_present", "random", "absent",
                         "one_present"])
    )  # fmt: skip
    if mode == "none_present":
        data["red_flags"] = dict.fromkeys(flags, False)
    elif mode == "one_present":  # a single flag, as the weak-flag calibration needs
        data["red_flags"] = dict.fromkeys(flags, False) | {draw(st.sampled_from(flags)): True}
    elif mode == "random":
        data["red_flags"] = draw(
            st.fixed_dictionaries({}, optional={f: st.booleans() for f in flags})
        )
    q: dict[str, Any] = {}
    if draw(st.booleans()):
        q["startback"] = [
            *draw(st.lists(st.integers(0, 1), min_size=8, max_size=8)),
            draw(st.integers(0, 4)),
        ]
    if draw(st.booleans()):
        q["odi"] = draw(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
    if draw(st.booleans()):
        q["rmdq"] = draw(st.lists(st.integers(0, 1), min_size=24, max_size=24))
    if draw(st.booleans()):
        q["peg"] = draw(st.lists(st.integers(0, 10), min_size=3, max_size=3))
    if q:
        data["questionnaires"] = q
    # Tags that drive triage (cancer, pregnancy) come up more often than chance would bring them.
    conditions = draw(st.lists(st.sampled_from(contract.condition_tags()), unique=True, max_size=8))
    extra = draw(st.sampled_from([None, None, None, *TRIAGE_TAGS]))
    if extra is not None and extra not in conditions:
        conditions.append(extra)
    data["conditions"] = conditions
    prefs = _drop_none(
        {
            "avoid": draw(_optional(st.lists(st.sampled_from(AVOID), unique=True))),
            "max_sessions_per_week": draw(_optional(st.integers(0, 14))),
            "budget": draw(_optional(st.sampled_from(["low", "medium", "high"]))),
        }
    )
    if prefs:
        data["preferences"] = prefs
    data["prior_treatments"] = draw(st.lists(st.fixed_dictionaries({
        "treatment": st.sampled_from(contract.treatment_ids()),
        "weeks": st.sampled_from([0, 2, 4, 6, 8, 12, 26]),
        "response": st.sampled_from(["none", "partial", "good", "adverse"]),
    }), max_size=4))  # fmt: skip
    return data
