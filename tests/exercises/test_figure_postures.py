"""Every exercise's picture against its instructions: a start and an end position that differ,
labelled as such, and drawn in the posture the instructions start from (a kneeling stretch is
drawn kneeling, a lying one lying)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from backpath.exercises import load_exercises
from backpath.reports.figures import render_svg
from backpath.reports.kinematics import posed
from backpath.reports.poses import Bike, Chair, Figure, Frame, figure_ids, load_figure

SVG = "{http://www.w3.org/2000/svg}"
EXERCISES = sorted(load_exercises())

POSITION_POSTURE = {
    "all_fours": "all_fours", "kneeling": "kneeling", "lying_face_down": "lying",
    "lying_on_back": "lying", "side_lying": "lying", "sitting": "sitting",
    "standing": "standing", "in_water": "standing",
}  # fmt: skip
"""The library's start ``position`` (safety rules use it) as a figure posture."""

WORDS = [  # first match wins: 'kneel on all fours' is on hands and knees, not kneeling
    ("all_fours", r"\ball fours\b|\bhands and knees\b"),
    ("kneeling", r"\bkneel"),
    ("lying", r"\blie\b|\blying\b"),
    ("sitting", r"\bsit\b|\bsitting\b"),
    ("standing", r"\bstand\b|\bstanding\b"),
]


def posture_in_words(text: str) -> str | None:
    """The posture a start-position sentence names, by its words."""
    lowered = text.lower()
    return next((p for p, pattern in WORDS if re.search(pattern, lowered)), None)


def _angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])))


def drawn_posture(figure: Figure, frame: Frame) -> str:
    """The posture read off the drawn body alone: what rests on the floor, hip height, and
    the angles of trunk and thigh (points in cm, y up, floor at 0)."""
    p = posed(figure, frame.pose).points
    contacts = set(frame.contacts)
    hip = p["hip"][1]
    trunk = _angle(p["hip"], p["neck"])  # 90: upright
    upright = abs(trunk - 90) < 35
    on_hands = any(c.endswith("hand") for c in contacts)
    on_knees = any(c.endswith("knee") for c in contacts)
    seats = [x.seat for x in figure.props if isinstance(x, Chair)]
    seats += [x.saddle.y for x in figure.props if isinstance(x, Bike)]
    if any(0 <= hip - seat <= 15 for seat in seats) and upright:
        return "sitting"
    if on_hands and on_knees and hip > 25:
        return "all_fours"
    if on_knees and upright:
        return "kneeling"
    if hip < 30:
        return "lying"
    if upright and hip > 70:
        return "standing"
    return "unclear"


def test_every_exercise_has_a_picture() -> None:
    assert set(EXERCISES) <= set(figure_ids())


@pytest.mark.parametrize("exercise", EXERCISES)
def test_start_and_end_pictures_exist_and_differ(exercise: str) -> None:
    figure = load_figure(exercise)
    assert figure.start.pose != figure.end.pose
    start, end = render_svg(exercise, "start"), render_svg(exercise, "end")
    assert start != end


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_pictures_are_labelled_start_and_end(exercise: str) -> None:
    root = ET.fromstring(render_svg(exercise, "frames"))
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert [label.split(":")[0] for label in labels] == ["Start", "End"]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_start_posture_matches_the_instructions_and_the_drawing(exercise: str) -> None:
    item, figure = load_exercises()[exercise], load_figure(exercise)
    declared = figure.start.posture
    assert declared is not None, f"poses/{exercise}.yaml: start.posture is missing"
    assert posture_in_words(item.instructions.start_position) == declared
    assert POSITION_POSTURE[item.position] == declared
    assert drawn_posture(figure, figure.start) == declared


def test_the_kneeling_hip_flexor_stretch_is_drawn_kneeling_in_both_frames() -> None:
    figure = load_figure("hip_flexor_stretch")
    for frame in (figure.start, figure.end):
        points = posed(figure, frame.pose).points
        assert points["near_knee"][1] < 8  # the back knee is down on the mat
        assert drawn_posture(figure, frame) == "kneeling"


def test_the_words_name_the_posture() -> None:
    assert posture_in_words("Kneel on all fours, hands under your shoulders") == "all_fours"
    assert posture_in_words("Kneel on one knee on a cushion") == "kneeling"
    assert posture_in_words("Lie on your back with your knees bent") == "lying"
    assert posture_in_words("Sit near the front of a firm chair") == "sitting"
    assert posture_in_words("Stand tall, feet hip-width apart") == "standing"


def test_a_standing_drawing_of_a_kneeling_exercise_would_be_caught() -> None:
    figure = load_figure("hip_flexor_stretch")
    standing = figure.start.model_copy(
        update={"pose": load_figure("walking").start.pose, "contacts": ["near_heel"]}
    )
    assert drawn_posture(figure, standing) != "kneeling"
