"""Exercise pictures as data: a start pose and an end pose of one stick figure per exercise.

Each exercise id has one file ``data/poses/<id>.yaml``. A pose is a set of joint angles in
degrees (the figure faces right in a side view); ``backpath.reports.figures`` turns them into
points and SVG. Angles are anatomical, so a clinician can read a file as "hip bent 90, knee bent
90": every angle is 0 in upright standing with the arms by the sides, flexion is positive.

Files are loaded once per process, validated strictly (unknown keys and wrong types fail) and
checked for names that must match the figure; any problem raises ``KnowledgeBaseError`` naming
the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backpath.errors import InvalidInput, KnowledgeBaseError
from backpath.knowledge.yaml_files import read_yaml, validate

POSES_DIR = "poses"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

View = Literal["side", "front"]
"""``side``: seen from the figure's right side, the figure facing right; near limbs are the
ones nearer to us, drawn dark, far limbs drawn light behind the body. ``front``: seen from the
front (or, lying on the side, from the belly side); hips and shoulders then stand apart and the
near limbs are those on the right of the page while the figure stands upright."""

PointName = Literal[
    "hip", "sacrum", "waist", "neck", "head",
    "near_hip", "near_shoulder", "near_elbow", "near_wrist", "near_hand",
    "near_knee", "near_ankle", "near_toe", "near_heel",
    "far_hip", "far_shoulder", "far_elbow", "far_wrist", "far_hand",
    "far_knee", "far_ankle", "far_toe", "far_heel",
]  # fmt: skip
"""Named points of the figure: props attach to them, the anchor is one, contacts list them."""

Segment = Literal[
    "near_upper_arm", "near_forearm", "near_thigh", "near_shank",
    "far_upper_arm", "far_forearm", "far_thigh", "far_shank",
]  # fmt: skip
"""Limb segments a figure may draw shortened, for a limb pointing towards or away from us."""

Angle = Annotated[float, Field(ge=-180, le=180)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Arm(_Strict):
    """Arm angles in degrees; positive raises the arm forward and bends the elbow."""

    shoulder: Annotated[float, Field(ge=-90, le=200)] = 0
    elbow: Annotated[float, Field(ge=-10, le=165)] = 0
    wrist: Annotated[float, Field(ge=-100, le=100)] = 0


class Leg(_Strict):
    """Leg angles in degrees; ``knee_out`` swings the bent knee out of the picture's plane.

    ``knee_out`` turns the knee about the line from hip to ankle (hip and ankle stay put):
    positive towards the viewer, 90 points the knee straight at the viewer. It shows knees
    rolling to one side, a clamshell opening, or a leg crossed over the other.
    """

    hip: Annotated[float, Field(ge=-60, le=160)] = 0
    knee: Annotated[float, Field(ge=-10, le=165)] = 0
    ankle: Annotated[float, Field(ge=-60, le=60)] = 0
    knee_out: Annotated[float, Field(ge=-90, le=90)] = 0


class Pose(_Strict):
    """Joint angles of the whole figure, in degrees; all 0 is standing tall, arms by the sides.

    ``pelvis`` is the forward tilt of the pelvis from upright (90: lying face down, head to
    the right; -90: lying on the back, head to the left). ``lumbar``, ``thorax`` and ``neck``
    bend each part forward on the one below (negative arches back). Limb angles bend each
    segment on the one before it: flexion is positive. In a front view the same numbers turn
    the limbs in the plane of the page (positive: counterclockwise while the figure stands).
    ``belly`` (0 to 1) pushes the belly out: 1 relaxed, 0 drawn in.
    """

    pelvis: Angle = 0
    lumbar: Annotated[float, Field(ge=-60, le=70)] = 0
    thorax: Annotated[float, Field(ge=-60, le=70)] = 0
    neck: Annotated[float, Field(ge=-70, le=70)] = 0
    belly: Annotated[float, Field(ge=0, le=1)] = 0
    near_arm: Arm = Arm()
    far_arm: Arm = Arm()
    near_leg: Leg = Leg()
    far_leg: Leg = Leg()

    def numbers(self) -> Iterator[tuple[str, float]]:
        """Every angle as ``(dotted name, value)``, in a fixed order (for interpolation)."""
        for name in ("pelvis", "lumbar", "thorax", "neck", "belly"):
            yield name, getattr(self, name)
        for part in ("near_arm", "far_arm", "near_leg", "far_leg"):
            for name, value in getattr(self, part).model_dump().items():
                yield f"{part}.{name}", value


Posture = Literal["standing", "sitting", "kneeling", "lying", "all_fours"]
"""The body's overall position in a frame, as the exercise's instructions name it
('on all fours' is on hands and knees). A test checks it against both the instructions and
the drawn pose, so a picture cannot show a person standing for a kneeling exercise."""


class Frame(_Strict):
    """One end of the movement: the pose, a short caption and a plain description."""

    caption: Annotated[str, Field(min_length=1, max_length=24)]
    posture: Posture | None = None
    """Required on the start frame (the position the instructions start from)."""
    says: Annotated[str, Field(min_length=3, max_length=120)]
    """Read by screen readers, e.g. "lying on your back, knees bent" (no full stop)."""
    pose: Pose
    contacts: list[PointName] = []
    """Points that rest on the floor in this pose; the tests check that they do."""


class XY(_Strict):
    """A position in centimetres; the floor is ``y = 0``."""

    x: float
    y: Annotated[float, Field(ge=0)] = 0


class Anchor(_Strict):
    """The figure point that stays still while the figure moves.

    With ``support: floor`` only ``x`` is used (the figure rests its lowest point on the
    floor); with ``support: fixed`` the point is held at ``(x, y)``, e.g. a hip on a saddle.
    """

    point: PointName = "hip"
    x: float = 0
    y: Annotated[float, Field(ge=0)] = 0


class Mat(_Strict):
    """An exercise mat under the figure, as long as the figure needs."""

    kind: Literal["mat"]


class Chair(_Strict):
    """A chair facing right: ``x`` is the front edge of the seat, ``seat`` its height."""

    kind: Literal["chair"]
    x: float
    seat: Annotated[float, Field(gt=20, le=70)] = 46


class Wall(_Strict):
    """A wall whose face is at ``x``, on the given side of it."""

    kind: Literal["wall"]
    x: float
    side: Literal["left", "right"] = "left"


class Water(_Strict):
    """Pool water up to ``level`` centimetres, drawn over the figure."""

    kind: Literal["water"]
    level: Annotated[float, Field(gt=0, le=200)]


class Bike(_Strict):
    """An exercise bike from its saddle, crank axle and handlebar positions."""

    kind: Literal["bike"]
    saddle: XY
    crank: XY
    bars: XY


class Pillow(_Strict):
    """A pillow or folded towel on the floor, centred at ``x``."""

    kind: Literal["pillow"]
    x: float
    width: Annotated[float, Field(gt=0, le=80)] = 40
    height: Annotated[float, Field(gt=0, le=30)] = 8


class Strap(_Strict):
    """A strap or towel held between two figure points; it moves with the figure."""

    kind: Literal["strap"]
    ends: Annotated[list[PointName], Field(min_length=2, max_length=2)]


class Dowel(_Strict):
    """A stick along the figure between two points, moved ``offset`` cm to the left of the line
    from the first to the second, and longer by ``extend`` cm at each end."""

    kind: Literal["dowel"]
    ends: Annotated[list[PointName], Field(min_length=2, max_length=2)]
    offset: float = 0
    extend: Annotated[float, Field(ge=0, le=60)] = 10


class Weight(_Strict):
    """A hand weight held at a figure point."""

    kind: Literal["weight"]
    at: PointName


class Offset(_Strict):
    """A shift in centimetres (x right, y up)."""

    dx: float = 0
    dy: float = 0


class Arrow(_Strict):
    """A movement cue: an arrow starting ``offset`` away from a figure point and pointing
    ``direction`` degrees (0 right, 90 up); drawn in the animation and on the first frame."""

    kind: Literal["arrow"]
    at: PointName
    offset: Offset = Offset()
    direction: Angle
    length: Annotated[float, Field(gt=5, le=60)] = 20


Prop = Annotated[
    Mat | Chair | Wall | Water | Bike | Pillow | Strap | Dowel | Weight | Arrow,
    Field(discriminator="kind"),
]


class Figure(_Strict):
    """The picture of one exercise: how it is seen, what it uses, and its two poses."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Annotated[str, Field(min_length=3, max_length=60)]
    view: View = "side"
    support: Literal["floor", "fixed"] = "floor"
    anchor: Anchor = Anchor()
    foreshorten: dict[Segment, Annotated[float, Field(gt=0, le=1)]] = {}
    """Limb segments drawn shorter by this factor in every frame (pointing towards us)."""
    props: list[Prop] = []
    start: Frame
    end: Frame

    @model_validator(mode="after")
    def _floor_figures_have_no_height(self) -> Figure:
        if self.support == "floor" and self.anchor.y != 0:
            raise ValueError("anchor.y is only for support: fixed (a floor figure rests on it)")
        return self


def _data_dir() -> Traversable:
    return resources.files("backpath.reports").joinpath("data", POSES_DIR)


def figure_ids() -> tuple[str, ...]:
    """Ids of every exercise that has a picture, sorted."""
    return _ids_in(_data_dir())


def _ids_in(directory: Traversable) -> tuple[str, ...]:
    names = (f.name for f in directory.iterdir() if f.name.endswith(".yaml"))
    return tuple(sorted(name.removesuffix(".yaml") for name in names))


def load_figure_from(directory: Traversable, exercise_id: str) -> Figure:
    """Read and validate ``<directory>/<exercise_id>.yaml``.

    Raises:
        InvalidInput: ``exercise_id`` is not a snake_case id.
        KnowledgeBaseError: the file is missing, is not YAML, or breaks the schema.
    """
    if not _ID.match(exercise_id):
        raise InvalidInput("exercise_id", "must be a snake_case exercise id, e.g. glute_bridge")
    label = f"{POSES_DIR}/{exercise_id}.yaml"
    figure = validate(Figure, read_yaml(directory.joinpath(f"{exercise_id}.yaml"), label), label)
    if figure.id != exercise_id:
        raise KnowledgeBaseError(label, "id", f"'{figure.id}' does not match the file name")
    return figure


@cache
def load_figure(exercise_id: str) -> Figure:
    """The packaged picture of one exercise, loaded and checked once per process.

    Raises:
        InvalidInput: no exercise has that id (the message lists the known ids).
        KnowledgeBaseError: the exercise's pose file is broken.
    """
    known = figure_ids()
    if exercise_id not in known:
        raise InvalidInput(
            "exercise_id", f"no picture for '{exercise_id}'; known: {', '.join(known)}"
        )
    return load_figure_from(_data_dir(), exercise_id)
