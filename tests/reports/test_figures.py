"""Exercise pictures: every exercise has one, drawn from angles, safe to embed, and sane.

No picture is a still: even holds (drawing in, bracing) show getting into the hold, so the
start and end poses of every exercise differ.
"""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from weasyprint import HTML

from backpath.errors import InvalidInput, KnowledgeBaseError
from backpath.reports.figures import MODES, describe, render_svg
from backpath.reports.kinematics import (
    LENGTHS,
    forward_kinematics,
    interpolate,
    movement,
    posed,
    project,
    radius,
)
from backpath.reports.poses import (
    Arm,
    Figure,
    Leg,
    Pose,
    figure_ids,
    load_figure,
    load_figure_from,
)
from tests.conftest import ROOT

POSES = ROOT / "src" / "backpath" / "reports" / "data" / "poses"
SVG = "{http://www.w3.org/2000/svg}"
FIXED_IDS = (
    "walking", "knee_rolls", "pelvic_tilt", "knee_to_chest", "child_pose", "cat_camel",
    "prone_on_elbows", "prone_press_up", "standing_back_bend", "directional_preference",
    "drawing_in", "abdominal_brace", "heel_slides", "dead_bug", "bird_dog", "mcgill_curl_up",
    "glute_bridge", "side_plank_modified", "front_plank_modified", "clamshell", "sit_to_stand",
    "wall_sit", "hip_hinge", "resistance_programme", "prone_back_extension", "hamstring_stretch",
    "hip_flexor_stretch", "piriformis_stretch", "sciatic_nerve_slider", "aquatic_exercise",
    "stationary_cycling", "pilates_mat", "yoga_home_practice", "tai_chi",
)  # fmt: skip
SEGMENTS = {  # segment name -> its two ends, for every side
    "upper_arm": ("shoulder", "elbow"),
    "forearm": ("elbow", "wrist"),
    "thigh": ("hip", "knee"),
    "shank": ("knee", "ankle"),
    "foot": ("ankle", "toe"),
    "heel": ("ankle", "heel"),
}
TRUNK = {"pelvis": ("hip", "sacrum"), "lumbar": ("sacrum", "waist"), "thorax": ("waist", "neck")}
FLOOR_TOLERANCE = 0.5
CONTACT_TOLERANCE = 4.0


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def segment_lengths(points: dict[str, tuple[float, float]], side_view: bool) -> dict[str, float]:
    lengths = {name: distance(points[a], points[b]) for name, (a, b) in TRUNK.items()}
    for side in ("near", "far"):
        for name, (a, b) in SEGMENTS.items():
            if side_view or name not in ("foot", "heel"):
                lengths[f"{side}_{name}"] = distance(points[f"{side}_{a}"], points[f"{side}_{b}"])
    return lengths


def expected_length(name: str, figure: Figure | None = None) -> float:
    base = name.removeprefix("near_").removeprefix("far_")
    scale = dict(figure.foreshorten) if figure else {}
    return LENGTHS[base] * scale.get(name, 1.0)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return x, y, w, h


# --- every exercise has a picture that is safe to embed ---------------------------------------


def test_every_fixed_exercise_has_exactly_one_pose_file() -> None:
    assert figure_ids() == tuple(sorted(FIXED_IDS))
    assert sorted(p.stem for p in POSES.glob("*.yaml")) == sorted(FIXED_IDS)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("exercise_id", FIXED_IDS)
def test_each_picture_is_an_accessible_self_contained_svg(exercise_id: str, mode: str) -> None:
    root = parse(render_svg(exercise_id, mode))
    assert root.tag == f"{SVG}svg"
    assert root.attrib["role"] == "img"
    assert "width" not in root.attrib and "height" not in root.attrib
    assert len(view_box(root)) == 4
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
    assert root.find(f".//{SVG}script") is None
    for element in root.iter():
        assert not element.tag.endswith(("script", "image", "foreignObject", "use"))
        for name, value in element.attrib.items():
            assert "href" not in name and "url(" not in value and not name.startswith("on")


def test_the_description_says_what_the_start_and_end_show() -> None:
    figure = load_figure("glute_bridge")
    desc = parse(render_svg("glute_bridge")).find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == describe(figure)
    assert desc.text.startswith(f"Start: {figure.start.says}.")
    assert desc.text.endswith(f"End: {figure.end.says}.")


def test_a_given_title_replaces_the_figures_own() -> None:
    title = parse(render_svg("bird_dog", "frames", title="Bird dog <easy>")).find(f"{SVG}title")
    assert title is not None and title.text == "Bird dog <easy>"


def test_the_same_request_gives_the_same_bytes() -> None:
    first = render_svg("cat_camel", "animated")
    load_figure.cache_clear()
    assert render_svg("cat_camel", "animated") == first


def test_frames_label_the_start_and_the_end_with_their_captions() -> None:
    figure = load_figure("sit_to_stand")
    texts = parse(render_svg("sit_to_stand", "frames")).findall(f".//{SVG}text")
    assert ["".join(t.itertext()) for t in texts] == [
        f"Start: {figure.start.caption}",
        f"End: {figure.end.caption}",
    ]
    glute = parse(render_svg("glute_bridge", "frames")).findall(f".//{SVG}text")
    assert ["".join(t.itertext()) for t in glute] == ["Start", "End: Lift"]  # no 'Start: Start'


def test_the_animation_loops_between_the_poses_with_matching_key_times() -> None:
    root = parse(render_svg("dead_bug", "animated"))
    animations = root.findall(f".//{SVG}animate")
    assert animations
    for animate in animations:
        values = animate.attrib["values"].split(";")
        times = [float(t) for t in animate.attrib["keyTimes"].split(";")]
        assert len(values) == len(times)
        assert times[0] == 0 and times[-1] == 1 and times == sorted(set(times))
        assert values[0] == values[-1]
        assert animate.attrib["repeatCount"] == "indefinite"
        commands = {re.sub(r"[-\d. ]+", "", v) for v in values}
        assert len(commands) == 1  # same path commands in every frame, so browsers interpolate


def test_reduced_motion_hides_the_animation_and_shows_a_still() -> None:
    root = parse(render_svg("walking", "animated"))
    style = root.find(f"{SVG}style")
    assert style is not None and "prefers-reduced-motion: reduce" in (style.text or "")
    still = root.find(f".//{SVG}g[@class='bp-still']")
    moving = root.find(f".//{SVG}g[@class='bp-moving']")
    assert still is not None and still.attrib["display"] == "none"
    assert moving is not None and moving.find(f".//{SVG}animate") is not None
    assert still.find(f".//{SVG}animate") is None


def test_frames_render_to_pdf_with_weasyprint() -> None:
    svg = render_svg("clamshell", "frames")
    html = f"<html><body><div style='width:12cm'>{svg}</div></body></html>"
    assert HTML(string=html).write_pdf().startswith(b"%PDF")


# --- the drawing is physically sane ------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", FIXED_IDS)
def test_limbs_keep_their_length_in_every_frame(exercise_id: str) -> None:
    figure = load_figure(exercise_id)
    for pose in movement(figure):
        body = forward_kinematics(pose, figure.view, dict(figure.foreshorten))
        lengths = segment_lengths(dict(body.points), figure.view == "side")
        for name, length in lengths.items():
            assert length == pytest.approx(expected_length(name, figure)), name


@pytest.mark.parametrize("exercise_id", FIXED_IDS)
def test_the_whole_figure_stays_inside_the_picture(exercise_id: str) -> None:
    figure = load_figure(exercise_id)
    x, y, w, h = view_box(parse(render_svg(exercise_id, "animated")))
    for pose in movement(figure):
        for name, (px, py) in posed(figure, pose).points.items():
            r = radius(name)
            assert x <= px - r and px + r <= x + w, name
            assert y <= -py - r and -py + r <= y + h, name


@pytest.mark.parametrize("exercise_id", FIXED_IDS)
def test_nothing_goes_through_the_floor_in_any_frame(exercise_id: str) -> None:
    figure = load_figure(exercise_id)
    for pose in movement(figure):
        for name, (_, py) in posed(figure, pose).points.items():
            assert py - radius(name) >= -FLOOR_TOLERANCE, name


@pytest.mark.parametrize("exercise_id", FIXED_IDS)
def test_the_points_said_to_rest_on_the_floor_do(exercise_id: str) -> None:
    figure = load_figure(exercise_id)
    for frame in (figure.start, figure.end):
        points = posed(figure, frame.pose).points
        for name in frame.contacts:
            assert points[name][1] - radius(name) <= CONTACT_TOLERANCE, (frame.caption, name)


@pytest.mark.parametrize("exercise_id", FIXED_IDS)
def test_every_picture_shows_a_movement(exercise_id: str) -> None:
    figure = load_figure(exercise_id)
    assert figure.start.pose != figure.end.pose
    start, end = posed(figure, figure.start.pose), posed(figure, figure.end.pose)
    moved = max(distance(start.points[k], end.points[k]) for k in start.points)
    assert moved > 3 or start.belly != end.belly
    assert render_svg(exercise_id, "start") != render_svg(exercise_id, "end")


def angles(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False)


arms = st.builds(Arm, shoulder=angles(-90, 200), elbow=angles(-10, 165), wrist=angles(-100, 100))
legs = st.builds(
    Leg,
    hip=angles(-60, 160),
    knee=angles(-10, 165),
    ankle=angles(-60, 60),
    knee_out=angles(-90, 90),
)
poses = st.builds(
    Pose,
    pelvis=angles(-180, 180),
    lumbar=angles(-60, 70),
    thorax=angles(-60, 70),
    neck=angles(-70, 70),
    near_arm=arms,
    far_arm=arms,
    near_leg=legs,
    far_leg=legs,
)


@settings(max_examples=60, deadline=None)
@given(a=poses, b=poses, t=st.floats(0, 1), view=st.sampled_from(["side", "front"]))
def test_interpolating_angles_never_stretches_a_limb(a: Pose, b: Pose, t: float, view: Any) -> None:
    body = forward_kinematics(interpolate(a, b, t), view)
    for name, length in segment_lengths(dict(body.points), view == "side").items():
        assert length == pytest.approx(expected_length(name), abs=1e-6), name


@settings(max_examples=60, deadline=None)
@given(pose=poses, view=st.sampled_from(["side", "front"]))
def test_turning_a_knee_out_keeps_hip_and_ankle_and_only_shortens_the_leg(
    pose: Pose, view: Any
) -> None:
    flat = forward_kinematics(pose, view)
    seen = project(flat, pose, view)
    for side in ("near", "far"):
        for joint in ("hip", "ankle", "toe"):
            assert seen.points[f"{side}_{joint}"] == flat.points[f"{side}_{joint}"]
        hip, knee, ankle = (seen.points[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
        assert distance(hip, knee) <= LENGTHS["thigh"] + 1e-6 + (6 if view == "side" else 0)
        assert distance(knee, ankle) <= LENGTHS["shank"] + 1e-6 + (6 if view == "side" else 0)


# --- bad input and broken files fail with a clear message --------------------------------------


def test_an_unknown_exercise_or_mode_names_the_field() -> None:
    with pytest.raises(InvalidInput) as unknown:
        render_svg("handstand")
    assert unknown.value.field == "exercise_id" and "glute_bridge" in unknown.value.message
    with pytest.raises(InvalidInput) as mode:
        render_svg("glute_bridge", "gif")
    assert mode.value.field == "mode" and "animated, frames, start, end" in mode.value.message


def broken_copy(tmp_path: Path, exercise_id: str, change: Any) -> Path:
    shutil.copy(POSES / f"{exercise_id}.yaml", tmp_path)
    path = tmp_path / f"{exercise_id}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))
    return tmp_path


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["start"]["pose"]["near_leg"].update(knee=200),
            "start.pose.near_leg.knee",
            "165",
        ),
        (lambda d: d["end"]["pose"].update(elbow=10), "end.pose.elbow", "Extra inputs"),
        (lambda d: d["start"]["pose"].update(pelvis="flat"), "start.pose.pelvis", "number"),
        (lambda d: d["end"].update(contacts=["nose"]), "end.contacts.0", "hip"),
        (lambda d: d["props"].append({"kind": "trampoline"}), "props.1", "kind"),
        (lambda d: d.update(id="bridge"), "id", "does not match"),
    ],
)
def test_a_broken_pose_file_names_file_and_field(
    tmp_path: Path, change: Any, field: str, words: str
) -> None:
    directory = broken_copy(tmp_path, "glute_bridge", change)
    with pytest.raises(KnowledgeBaseError) as error:
        load_figure_from(directory, "glute_bridge")
    assert error.value.file == "poses/glute_bridge.yaml"
    assert error.value.field == field
    assert words in error.value.message


def test_a_missing_or_unreadable_pose_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as missing:
        load_figure_from(tmp_path, "glute_bridge")
    assert missing.value.file == "poses/glute_bridge.yaml" and "missing" in missing.value.message
    (tmp_path / "glute_bridge.yaml").write_text("start: [unclosed")
    with pytest.raises(KnowledgeBaseError) as garbled:
        load_figure_from(tmp_path, "glute_bridge")
    assert "not valid YAML" in garbled.value.message
