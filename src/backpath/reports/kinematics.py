"""Joint angles to points: the figure's body in a pose, as the renderer draws it.

A pose (``backpath.reports.poses``) becomes points in three steps:

1. ``forward_kinematics``: angles to points in the picture's plane (hip at the origin, y up,
   centimetres); every segment keeps its fixed adult length.
2. ``project``: a knee turned out of that plane (``knee_out``) is drawn where the eye sees it.
3. ``place``: the figure rests its lowest point on the floor (``y = 0``) with its anchor at the
   anchor's ``x``, or holds its anchor at a fixed spot (a saddle).

``movement`` interpolates the angles, never the points, so limbs keep their length in every
frame. ``backpath.reports.figures`` draws the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from backpath.reports.poses import Arm, Figure, Leg, Pose, View

Point = tuple[float, float]

LENGTHS: Mapping[str, float] = {
    "pelvis": 10, "lumbar": 18, "thorax": 30, "neck": 14,
    "upper_arm": 30, "forearm": 26, "hand": 9,
    "thigh": 43, "shank": 43, "foot": 17, "heel": 7, "front_foot": 9,
}  # fmt: skip
"""Segment lengths in cm of a 1.8 m adult (``neck``: base of the neck to centre of the head)."""
HEAD_R = 10.0
HEAD_AHEAD = 4.0
"""Seen from the side the skull sits this far in front of the line of the neck."""
TRUNK_W = 12.0
LIMB_W = 7.0
HIP_HALF = 8.0
SHOULDER_HALF = 12.0
"""Seen from the front, hips and shoulders sit this far either side of the spine."""
KNEE_DEPTH = 6.0
"""Seen from the side, the near knee is this far in front of the mid-plane, the far one behind."""
FOOT_TURN = 62.0
"""A neutral foot points this many degrees forward of the shank (flat when standing)."""
TRUNK_POINTS = ("hip", "sacrum", "waist", "neck")

STEPS = 10
"""Frames from the start pose to the end pose."""


@dataclass(frozen=True)
class Body:
    """The figure's named points in cm (y up), and which way its face and belly look."""

    points: Mapping[str, Point]
    face: float | None
    """Direction the face looks in degrees; ``None`` in a front view (no profile)."""
    front: float
    belly: float

    def moved(self, dx: float, dy: float) -> Body:
        shifted = {k: (x + dx, y + dy) for k, (x, y) in self.points.items()}
        return Body(shifted, self.face, self.front, self.belly)


def along(p: Point, deg: float, length: float) -> Point:
    """The point ``length`` cm from ``p`` in the direction ``deg`` (degrees, y up)."""
    rad = math.radians(deg)
    return p[0] + math.cos(rad) * length, p[1] + math.sin(rad) * length


def radius(name: str) -> float:
    """Half the drawn thickness at a named point (for floor contact and bounds)."""
    if name == "head":
        return HEAD_R
    return TRUNK_W / 2 if name in TRUNK_POINTS else LIMB_W / 2


def interpolate(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a fraction ``t`` (0 to 1) of the way from ``a`` to ``b``, angle by angle."""
    data: dict[str, dict[str, float]] = {}
    flat: dict[str, float] = {}
    for (name, x), (_, y) in zip(a.numbers(), b.numbers(), strict=True):
        part, _, joint = name.partition(".")
        if joint:
            data.setdefault(part, {})[joint] = x + (y - x) * t
        else:
            flat[name] = x + (y - x) * t
    return Pose.model_validate({**flat, **data})


def movement(figure: Figure, steps: int = STEPS) -> list[Pose]:
    """Poses from start to end inclusive, eased so the figure starts and stops gently."""
    eased = ((1 - math.cos(math.pi * k / steps)) / 2 for k in range(steps + 1))
    return [interpolate(figure.start.pose, figure.end.pose, t) for t in eased]


def forward_kinematics(
    pose: Pose, view: View = "side", foreshorten: Mapping[str, float] | None = None
) -> Body:
    """Points in the picture's plane with the hip (side) or mid-pelvis (front) at 0, 0.

    Every angle turns its segment from the one before; with the figure upright and facing
    right, flexion of the trunk and neck and of the knee turns clockwise, flexion of hip,
    shoulder and elbow counterclockwise. ``foreshorten`` shortens named limb segments.
    """
    scale = foreshorten or {}
    wide = view == "front"
    pelvis = 90 - pose.pelvis
    lumbar = pelvis - pose.lumbar
    thorax = lumbar - pose.thorax
    neck = thorax - pose.neck
    pts: dict[str, Point] = {"hip": (0.0, 0.0)}
    pts["sacrum"] = along(pts["hip"], pelvis, LENGTHS["pelvis"])
    pts["waist"] = along(pts["sacrum"], lumbar, LENGTHS["lumbar"])
    pts["neck"] = along(pts["waist"], thorax, LENGTHS["thorax"])
    pts["head"] = along(pts["neck"], neck, LENGTHS["neck"])
    if not wide:
        pts["head"] = along(pts["head"], neck - 90, HEAD_AHEAD)
    top = along(pts["neck"], thorax, -4 if wide else -3)
    for side, sign in (("near", 1.0), ("far", -1.0)):

        def length(segment: str, side: str = side) -> float:
            return LENGTHS[segment] * scale.get(f"{side}_{segment}", 1.0)

        arm: Arm = getattr(pose, f"{side}_arm")
        leg: Leg = getattr(pose, f"{side}_leg")
        hip = along(pts["hip"], pelvis - 90, sign * HIP_HALF) if wide else pts["hip"]
        shoulder = along(top, thorax - 90, sign * SHOULDER_HALF) if wide else top
        upper = thorax + 180 + arm.shoulder
        fore = upper + arm.elbow
        thigh = pelvis + 180 + leg.hip
        shank = thigh - leg.knee
        elbow = along(shoulder, upper, length("upper_arm"))
        wrist = along(elbow, fore, length("forearm"))
        knee = along(hip, thigh, length("thigh"))
        ankle = along(knee, shank, length("shank"))
        pts[f"{side}_hip"], pts[f"{side}_shoulder"] = hip, shoulder
        pts[f"{side}_elbow"], pts[f"{side}_wrist"] = elbow, wrist
        pts[f"{side}_hand"] = along(wrist, fore + arm.wrist, length("forearm") / 26 * 9)
        pts[f"{side}_knee"], pts[f"{side}_ankle"] = knee, ankle
        if wide:  # from the front a foot is a short stub turned outwards
            pts[f"{side}_toe"] = along(ankle, shank + sign * 70 + leg.ankle, LENGTHS["front_foot"])
            pts[f"{side}_heel"] = ankle
        else:
            pts[f"{side}_toe"] = along(ankle, shank + FOOT_TURN + leg.ankle, LENGTHS["foot"])
            pts[f"{side}_heel"] = along(ankle, shank - 12 + leg.ankle, LENGTHS["heel"])
    return Body(pts, None if wide else neck - 90, lumbar - 90, pose.belly)


def project(body: Body, pose: Pose, view: View = "side") -> Body:
    """Move each knee to where it appears once turned ``knee_out`` about its hip-ankle line."""
    pts = dict(body.points)
    for side, depth in (("near", KNEE_DEPTH), ("far", -KNEE_DEPTH)):
        turn = math.radians(getattr(pose, f"{side}_leg").knee_out)
        if turn == 0:
            continue
        (hx, hy), (ax, ay), (kx, ky) = (pts[f"{side}_{j}"] for j in ("hip", "ankle", "knee"))
        span = math.hypot(ax - hx, ay - hy) or 1.0
        ux, uy = (ax - hx) / span, (ay - hy) / span
        along = (kx - hx) * ux + (ky - hy) * uy
        px, py = hx + along * ux, hy + along * uy
        dist = math.hypot(kx - px, ky - py)
        nx, ny = ((kx - px) / dist, (ky - py) / dist) if dist > 1e-6 else (-uy, ux)
        seen = dist * math.cos(turn) - (depth if view == "side" else 0.0) * math.sin(turn)
        pts[f"{side}_knee"] = (px + nx * seen, py + ny * seen)
    return Body(pts, body.face, body.front, body.belly)


def place(body: Body, figure: Figure) -> Body:
    """Move the figure onto the floor (or its fixed support) with its anchor in place."""
    ax, ay = body.points[figure.anchor.point]
    if figure.support == "fixed":
        return body.moved(figure.anchor.x - ax, figure.anchor.y - ay)
    lowest = min(y - radius(name) for name, (_, y) in body.points.items())
    return body.moved(figure.anchor.x - ax, -lowest)


def posed(figure: Figure, pose: Pose) -> Body:
    """The figure in ``pose`` as drawn: kinematics, knees turned out, placed on its support."""
    scale = {str(segment): factor for segment, factor in figure.foreshorten.items()}
    body = forward_kinematics(pose, figure.view, scale)
    return place(project(body, pose, figure.view), figure)
