"""The home-exercise library loads, keeps its safety rules, and fails loudly when a file breaks."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from backpath.errors import KnowledgeBaseError
from backpath.exercises import (
    EXERCISE_IDS,
    Dose,
    Frequency,
    Limits,
    load_exercises,
    load_exercises_from,
    load_stop_rules,
    stop_rules_for,
)
from backpath.knowledge import PHASES, load_knowledge
from tests.conftest import ROOT

DATA = ROOT / "src" / "backpath" / "exercises" / "data"
HOME_PROGRAMME_TREATMENTS = ("physical_therapy", "general_exercise", "yoga", "pilates", "tai_chi")


def test_the_library_holds_exactly_the_fixed_exercises_in_order() -> None:
    library = load_exercises()
    assert tuple(library) == EXERCISE_IDS
    assert len(library) == 34


def test_the_library_is_loaded_once_and_is_read_only() -> None:
    library = load_exercises()
    assert load_exercises() is library
    with pytest.raises(TypeError):
        library["x"] = library["walking"]  # type: ignore[index]
    with pytest.raises(ValidationError, match="frozen"):
        library["walking"].name = "changed"


@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_has_at_least_five_exercises_that_can_be_chosen_automatically(
    phase: str,
) -> None:
    fitting = [e for e in load_exercises().values() if phase in e.phases and not e.clinician_guided]
    assert len(fitting) >= 5


@pytest.mark.parametrize("treatment", HOME_PROGRAMME_TREATMENTS)
def test_each_home_programme_treatment_has_exercises(treatment: str) -> None:
    assert [e.id for e in load_exercises().values() if treatment in e.treatments]


def test_every_exercise_and_stop_rule_cites_sources_that_exist() -> None:
    known = set(load_knowledge().sources)
    for exercise in load_exercises().values():
        assert exercise.source_ids() <= known, exercise.id
    for rule in load_stop_rules().values():
        assert set(rule.sources) <= known, rule.id


def test_every_starting_dose_step_and_goal_lies_within_the_exercise_limits() -> None:
    for exercise in load_exercises().values():
        for path, dose in exercise.doses():
            assert exercise.limits.allows(dose), (exercise.id, path)
        assert exercise.dose_violations() == [], exercise.id


def test_every_exercise_that_starts_face_down_avoids_pregnancy() -> None:
    face_down = [e for e in load_exercises().values() if e.position == "lying_face_down"]
    assert {e.id for e in face_down} >= {"prone_on_elbows", "prone_press_up"}
    assert all("pregnancy" in e.avoided_tags for e in face_down)


def test_every_exercise_lying_on_the_back_warns_or_avoids_in_pregnancy() -> None:
    for e in load_exercises().values():
        if e.position == "lying_on_back":
            tags = e.avoided_tags | {c.tag for c in e.caution}
            assert "pregnancy" in tags, e.id


@pytest.mark.parametrize("exercise_id", ["knee_to_chest", "child_pose", "mcgill_curl_up"])
def test_end_range_or_loaded_flexion_is_never_prescribed_with_osteoporosis(
    exercise_id: str,
) -> None:
    assert "osteoporosis" in load_exercises()[exercise_id].avoided_tags


def test_only_the_directional_preference_exercise_is_clinician_guided() -> None:
    guided = [e.id for e in load_exercises().values() if e.clinician_guided]
    assert guided == ["directional_preference"]


def test_only_class_based_activities_need_a_class() -> None:
    class_based = {e.id for e in load_exercises().values() if e.class_based}
    assert class_based == {"pilates_mat", "yoga_home_practice", "tai_chi"}


def test_the_nerve_slider_is_only_for_leg_pain_and_helps_it() -> None:
    for_leg_pain = [e for e in load_exercises().values() if e.for_leg_pain_only]
    assert [e.id for e in for_leg_pain] == ["sciatic_nerve_slider"]
    assert all(e.leg_pain == "helps" for e in for_leg_pain)
    assert load_exercises()["knee_to_chest"].leg_pain == "caution"


def test_every_exercise_gets_all_general_stop_rules_and_lists_only_known_ones() -> None:
    rules = load_stop_rules()
    general = {r.id for r in rules.values() if r.general}
    assert general >= {"pain_worse", "new_pain", "leg_symptoms_spread", "red_flag_symptoms"}
    for e in load_exercises().values():
        assert set(e.stop_rules) <= set(rules), e.id
        applied = {r.id for r in stop_rules_for(e.stop_rules)}
        assert applied == general | set(e.stop_rules), e.id


def test_avoid_and_caution_tags_are_described_condition_tags() -> None:
    tags = set(load_knowledge().conditions)  # the contract's and those BackPath derives
    for e in load_exercises().values():
        assert {a.tag for a in e.avoid} | {c.tag for c in e.caution} <= tags, e.id


def test_walking_builds_up_to_the_walkback_goal() -> None:
    walking = load_exercises()["walking"]
    assert walking.goal is not None
    assert (walking.goal.minutes, walking.goal.per_week, walking.goal.by_week) == (30, 5, 26)
    assert "pocovi2024_walkback" in walking.goal.sources
    last_dose = [s.dose for s in walking.progression if s.dose is not None][-1]
    assert (last_dose.minutes, last_dose.frequency.per_week) == (30, 5)


@pytest.mark.parametrize(
    ("dose", "text"),
    [
        (
            {"kind": "reps", "sets": 2, "reps": 10, "per_side": True, "frequency": {"per_day": 3}},
            "2 sets of 10 per side, 3 times a day",
        ),
        (
            {"kind": "hold", "hold_seconds": 10, "reps": 10, "frequency": {"per_day": 2}},
            "hold 10 s, 10 times, twice a day",
        ),
        ({"kind": "duration", "minutes": 20, "frequency": {"per_week": 3}},
         "20 minutes, 3 times a week"),
        ({"kind": "reps", "reps": 5, "frequency": {"per_day": 1}}, "5 repetitions, once a day"),
        (
            {"kind": "hold", "hold_seconds": 30, "reps": 1, "per_side": True,
             "frequency": {"per_week": 7}},
            "hold 30 s per side, every day",
        ),
        (
            {"kind": "duration", "sets": 3, "minutes": 1, "frequency": {"per_week": 1}},
            "3 bouts of 1 minute, once a week",
        ),
    ],
)  # fmt: skip
def test_a_dose_reads_as_plain_words(dose: dict[str, Any], text: str) -> None:
    assert Dose.model_validate(dose).text() == text


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        ({"kind": "hold", "reps": 5, "frequency": {"per_day": 1}},
         "a hold dose needs hold_seconds"),
        ({"kind": "reps", "reps": 5, "minutes": 3, "frequency": {"per_day": 1}},
         "a reps dose takes no minutes"),
        ({"kind": "duration", "frequency": {"per_day": 1}}, "a duration dose needs minutes"),
        ({"kind": "reps", "reps": 5, "frequency": {"per_day": 1, "per_week": 2}},
         "exactly one of per_day or per_week"),
        ({"kind": "reps", "reps": 5, "frequency": {}}, "exactly one of per_day or per_week"),
    ],
)  # fmt: skip
def test_an_inconsistent_dose_is_rejected(dose: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Dose.model_validate(dose)


def test_limits_name_each_number_that_is_missing_or_out_of_range() -> None:
    limits = Limits.model_validate({"sets": {"min": 1, "max": 2}, "reps": {"min": 5, "max": 10}})
    dose = Dose(kind="reps", sets=3, reps=10, frequency=Frequency(per_day=2))
    assert limits.violations(dose) == [
        ("sets", "3 is outside the limits 1-2"),
        ("per_day", "no limits are given for per_day"),
    ]
    assert not limits.allows(dose)


def broken_copy(
    tmp_path: Path, file: str = "", edit: Callable[[dict[str, Any]], None] | None = None
) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    if edit is not None:
        path = target / file
        data = yaml.safe_load(path.read_text())
        edit(data)
        path.write_text(yaml.safe_dump(data))
    return target


def test_a_clean_copy_loads(tmp_path: Path) -> None:
    assert tuple(load_exercises_from(broken_copy(tmp_path))) == EXERCISE_IDS


KNEE_ROLLS = "exercises/knee_rolls.yaml"


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (KNEE_ROLLS, lambda d: d.update(colour="blue"), f"{KNEE_ROLLS}: colour: Extra inputs"),
        (KNEE_ROLLS, lambda d: d["dose"].update(reps="many"), f"{KNEE_ROLLS}: dose.reps"),
        (KNEE_ROLLS, lambda d: d.update(phases=["late_acute"]), f"{KNEE_ROLLS}: phases.0"),
        (KNEE_ROLLS, lambda d: d.update(id="walking"),
         f"{KNEE_ROLLS}: id: is 'walking', expected 'knee_rolls'"),
        (KNEE_ROLLS, lambda d: d.update(id="knee_circles"), "not a library exercise id"),
        (KNEE_ROLLS, lambda d: d.update(sources=["nobody2099"]),
         f"{KNEE_ROLLS}: sources: unknown source id 'nobody2099'"),
        (KNEE_ROLLS, lambda d: d["progression"][2].update(sources=["nobody2099"]),
         f"{KNEE_ROLLS}: progression.2.sources: unknown source id"),
        (KNEE_ROLLS, lambda d: d["caution"][0].update(tag="gout"),
         f"{KNEE_ROLLS}: caution.0.tag: unknown condition tag 'gout'"),
        (KNEE_ROLLS, lambda d: d["dose"].update(reps=50),
         f"{KNEE_ROLLS}: dose.reps: 50 is outside the limits 5-12"),
        (KNEE_ROLLS, lambda d: d["progression"][1]["dose"].update(reps=40),
         f"{KNEE_ROLLS}: progression.1.dose.reps: 40 is outside"),
        (KNEE_ROLLS, lambda d: d["limits"].pop("hold_seconds"),
         f"{KNEE_ROLLS}: dose.hold_seconds: no limits are given"),
        (KNEE_ROLLS, lambda d: d["dose"].update(kind="reps"),
         f"{KNEE_ROLLS}: dose: Value error, a reps dose takes no hold_seconds"),
        (KNEE_ROLLS, lambda d: d["dose"]["frequency"].update(per_week=2),
         f"{KNEE_ROLLS}: dose.frequency: Value error, give exactly one"),
        ("stop_rules.yaml", lambda d: d["stop_rules"][3].update(urgency="soonish"),
         "stop_rules.yaml: stop_rules.3.urgency: Input should be 'none', 'contact_clinic'"),
        ("stop_rules.yaml", lambda d: d["stop_rules"][3].pop("advice"),
         "stop_rules.yaml: stop_rules.3.advice: Field required"),
        (KNEE_ROLLS, lambda d: d["stop_rules"].append("feels_odd"),
         f"{KNEE_ROLLS}: stop_rules.5: unknown stop rule 'feels_odd'"),
        (KNEE_ROLLS, lambda d: d["targets"].append("mobility"), f"{KNEE_ROLLS}: targets"),
        ("exercises/prone_press_up.yaml", lambda d: d["avoid"].pop(0),
         "exercises/prone_press_up.yaml: avoid: an exercise that starts face down must avoid"),
        ("exercises/walking.yaml", lambda d: d["goal"].update(minutes=90),
         "exercises/walking.yaml: goal.minutes"),
        ("stop_rules.yaml", lambda d: d["stop_rules"][0].update(sources=["nobody2099"]),
         "stop_rules.yaml: stop_rules.0.sources: unknown source id"),
        ("stop_rules.yaml", lambda d: d["stop_rules"].append(d["stop_rules"][0]),
         "stop_rules.yaml: stop_rules.*duplicate id 'pain_worse'"),
    ],
)  # fmt: skip
def test_a_broken_file_fails_naming_file_and_field(
    tmp_path: Path, file: str, edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    pattern = expected.replace("[", r"\[").replace(".", r"\.").replace(r"\.*", ".*")
    with pytest.raises(KnowledgeBaseError, match=pattern):
        load_exercises_from(broken_copy(tmp_path, file, edit))


def test_a_missing_exercise_file_fails_naming_it(tmp_path: Path) -> None:
    target = broken_copy(tmp_path)
    (target / "exercises" / "tai_chi.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"exercises/tai_chi\.yaml: file is missing"):
        load_exercises_from(target)


def test_a_second_file_with_the_same_id_fails_as_a_duplicate(tmp_path: Path) -> None:
    target = broken_copy(tmp_path)
    folder = target / "exercises"
    shutil.copy(folder / "knee_rolls.yaml", folder / "knee_rolls_copy.yaml")
    with pytest.raises(
        KnowledgeBaseError, match=r"exercises/knee_rolls_copy\.yaml: id: duplicate id 'knee_rolls'"
    ):
        load_exercises_from(target)


def test_invalid_yaml_fails_with_the_file_name(tmp_path: Path) -> None:
    target = broken_copy(tmp_path)
    (target / "exercises" / "clamshell.yaml").write_text("id: [unclosed")
    with pytest.raises(KnowledgeBaseError, match=r"exercises/clamshell\.yaml: not valid YAML"):
        load_exercises_from(target)
