"""The one renderer of exercise pictures: a posed body (``backpath.reports.kinematics``) to SVG
markup.

``render_svg`` draws the figure and its props in one of four modes. The animation interpolates
the angles, never the points, so limbs keep their length in every frame. The SVG is
deterministic, sized by ``viewBox`` only, has ``role="img"``, ``<title>`` and ``<desc>``, and
holds no script and no external reference.

Reduced motion: CSS inside an animated picture hides the moving figure from readers who ask
for reduced motion and shows a still instead (start pose, end pose faint behind it). Pages
that can choose should serve ``mode="frames"`` to them, e.g. ``<picture><source
media="(prefers-reduced-motion: reduce)" srcset="frames.svg"><img src="animated.svg"
alt="..."></picture>``, and print (WeasyPrint runs no animation) should always use frames.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from backpath.errors import InvalidInput
from backpath.reports.kinematics import (
    HEAD_R,
    LIMB_W,
    TRUNK_POINTS,
    TRUNK_W,
    Body,
    Point,
    along,
    movement,
    posed,
    radius,
)
from backpath.reports.poses import (
    Arrow,
    Bike,
    Chair,
    Dowel,
    Figure,
    Mat,
    Pillow,
    Strap,
    Wall,
    Water,
    Weight,
    load_figure,
)

Mode = Literal["animated", "frames", "start", "end"]
MODES: tuple[Mode, ...] = ("animated", "frames", "start", "end")

INK = "#17325c"  # 12.8:1 on white
FAR_INK = "#6a88b8"  # 3.6:1: limbs behind the body, above the 3:1 asked of graphics
PROP_INK = "#5f5f5f"
LIGHT_PROP_INK = "#8a8a8a"  # 3.5:1, for a bike frame that the legs cross
PROP_FILL = "#e3e3e3"
CUE_INK = "#b42318"
MAT_FILL, MAT_INK = "#a8cbb8", "#5b8a72"
WATER_FILL, WATER_INK = "#4b9be0", "#1d6fb8"
STRAP_INK, DOWEL_INK, WEIGHT_INK = "#a0522d", "#8b5a2b", "#333333"
FLOOR_INK = "#4d4d4d"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
ROUND = {"stroke-linecap": "round", "stroke-linejoin": "round"}

HOLD_S, MOVE_S = 0.7, 1.8
MARGIN = 8.0
FLOOR_T = 4.0
CAPTION_H = 30.0
CAPTION_FONT = 17.0
GAP = 40.0
SVG_NS = "http://www.w3.org/2000/svg"

# --- shapes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One SVG path; the same shape in every frame of a figure has the same commands."""

    d: str
    style: Mapping[str, str]


def _n(v: float) -> str:
    text = f"{v:.1f}"
    return "0.0" if text == "-0.0" else text


def _xy(p: Point) -> str:
    return f"{_n(p[0])} {_n(-p[1])}"


def _line(*pts: Point) -> str:
    return "M" + " L".join(_xy(p) for p in pts)


def _mid(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _smooth(*pts: Point) -> str:
    """A curve from the first to the last point, bending at the ones between (a spine)."""
    d = f"M{_xy(pts[0])} L{_xy(_mid(pts[0], pts[1]))}"
    for a, b in itertools.pairwise(pts[1:]):
        d += f" Q{_xy(a)} {_xy(_mid(a, b))}"
    return f"{d} L{_xy(pts[-1])}"


def _circle(c: Point, r: float) -> str:
    (x, y), rr = c, f"{_n(r)} {_n(r)}"
    return f"M{_xy((x - r, y))} A{rr} 0 1 0 {_xy((x + r, y))} A{rr} 0 1 0 {_xy((x - r, y))} Z"


def _rect(x0: float, y0: float, x1: float, y1: float) -> str:
    return _line((x0, y0), (x1, y0), (x1, y1), (x0, y1)) + " Z"


def _stroke(color: str, width: float, fill: str = "none", **more: str) -> dict[str, str]:
    return {"fill": fill, "stroke": color, "stroke-width": _n(width), **more}


def _fill(color: str, **more: str) -> dict[str, str]:
    return {"fill": color, "stroke": "none", **more}


def _arrow(tail: Point, direction: float, length: float) -> str:
    tip = along(tail, direction, length)
    head = _line(along(tip, direction + 150, 7), tip, along(tip, direction - 150, 7))
    return f"{_line(tail, tip)} {head}"


def _held_points(prop: Strap | Dowel | Weight | Arrow, p: Mapping[str, Point]) -> list[Point]:
    """Where a prop that moves with the figure is, in this frame."""
    if isinstance(prop, Strap):
        return [p[end] for end in prop.ends]
    if isinstance(prop, Dowel):
        a, b = (p[end] for end in prop.ends)
        deg = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        return [
            along(along(a, deg + 90, prop.offset), deg, -prop.extend),
            along(along(b, deg + 90, prop.offset), deg, prop.extend),
        ]
    if isinstance(prop, Weight):
        return [p[prop.at]]
    x, y = p[prop.at]
    tail = (x + prop.offset.dx, y + prop.offset.dy)
    return [tail, along(tail, prop.direction, prop.length)]


def _held_shapes(prop: Strap | Dowel | Weight | Arrow, p: Mapping[str, Point]) -> list[Shape]:
    pts = _held_points(prop, p)
    if isinstance(prop, Strap):
        return [Shape(_line(*pts), _stroke(STRAP_INK, 3))]
    if isinstance(prop, Dowel):
        return [Shape(_line(*pts), _stroke(DOWEL_INK, 4, **ROUND))]
    if isinstance(prop, Weight):
        (x, y) = pts[0]
        plates = f"{_line((x - 7, y - 5), (x - 7, y + 5))} {_line((x + 7, y - 5), (x + 7, y + 5))}"
        return [
            Shape(_line((x - 7, y), (x + 7, y)), _stroke(WEIGHT_INK, 4)),
            Shape(plates, _stroke(WEIGHT_INK, 6)),
        ]
    return [Shape(_arrow(pts[0], prop.direction, prop.length), _stroke(CUE_INK, 3.5, **ROUND))]


def body_shapes(body: Body, figure: Figure, *, cues: bool = True) -> list[Shape]:
    """Paths of the figure and of the props it holds, back to front."""
    p = body.points
    foot = ("ankle", "toe") if figure.view == "front" else ("ankle", "heel", "toe")

    def limb(side: str, joints: Sequence[str], ink: str) -> Shape:
        return Shape(_line(*(p[f"{side}_{j}"] for j in joints)), _stroke(ink, LIMB_W, **ROUND))

    arm, leg = ("shoulder", "elbow", "wrist", "hand"), ("hip", "knee", *foot)
    held = [prop for prop in figure.props if isinstance(prop, Strap | Weight | Arrow)]
    shapes = [limb("far", arm, FAR_INK), limb("far", leg, FAR_INK)]
    for bike in (prop for prop in figure.props if isinstance(prop, Bike)):
        pedals = [_mid(p[f"{side}_ankle"], p[f"{side}_toe"]) for side in ("far", "near")]
        cranks = _line(pedals[0], (bike.crank.x, bike.crank.y), pedals[1])
        shapes.insert(0, Shape(cranks, _stroke(LIGHT_PROP_INK, 4, **ROUND)))
    shapes.append(Shape(_smooth(*(p[j] for j in TRUNK_POINTS)), _stroke(INK, TRUNK_W, **ROUND)))
    if figure.view == "front":
        girdles = (
            f"{_line(p['near_hip'], p['far_hip'])} {_line(p['near_shoulder'], p['far_shoulder'])}"
        )
        shapes.append(Shape(girdles, _stroke(INK, LIMB_W, **ROUND)))
    else:
        shapes.append(Shape(_belly(body), _fill(INK)))
    shapes.append(Shape(_line(p["neck"], p["head"]), _stroke(INK, LIMB_W, **ROUND)))
    shapes.append(Shape(_circle(p["head"], HEAD_R), _fill(INK)))
    if body.face is not None:
        nose = (
            along(p["head"], body.face + a, HEAD_R + r) for a, r in ((35, -1), (-5, 4), (-35, -1))
        )
        shapes.append(Shape(_line(*nose) + " Z", _fill(INK)))
    for prop in figure.props:
        if isinstance(prop, Dowel):
            shapes += _held_shapes(prop, p)
    shapes += [limb("near", leg, INK), limb("near", arm, INK)]
    for prop in held:
        if cues or not isinstance(prop, Arrow):
            shapes += _held_shapes(prop, p)
    return shapes


def _belly(body: Body) -> str:
    """A belly pushed ``belly`` x 8 cm out in front of the lower trunk (hidden when drawn in)."""
    p, front, edge = body.points, body.front, TRUNK_W / 2 - 1
    chest = _mid(p["waist"], p["neck"])
    start, end = along(p["sacrum"], front, edge), along(chest, front, edge)
    bulge = along(p["waist"], front, TRUNK_W / 2 + body.belly * 16)
    return f"{_line(p['sacrum'], start)} Q{_xy(bulge)} {_xy(end)} L{_xy(p['waist'])} Z"


# --- scene ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A bounding box in cm, y up."""

    left: float
    bottom: float
    right: float
    top: float

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.bottom, other.bottom),
            max(self.right, other.right),
            max(self.top, other.top),
        )

    def widened(self, width: float) -> Box:
        pad = max(0.0, (width - (self.right - self.left)) / 2)
        return Box(self.left - pad, self.bottom, self.right + pad, self.top)


def body_box(body: Body, figure: Figure) -> Box:
    """Everything the figure draws, with the thickness of its lines."""
    spots = [
        (x, y, radius(name) + (4 if name == "head" else 0)) for name, (x, y) in body.points.items()
    ]
    for prop in figure.props:
        if isinstance(prop, Strap | Dowel | Weight | Arrow):
            spots += [(x, y, 8.0) for x, y in _held_points(prop, body.points)]
    return Box(
        min(x - r for x, _, r in spots),
        min(y - r for _, y, r in spots),
        max(x + r for x, _, r in spots),
        max(y + r for _, y, r in spots),
    )


def scene_box(figure: Figure, bodies: Sequence[Body]) -> Box:
    """The picture's extent over every frame, props and margin included (cm, y up)."""
    box = body_box(bodies[0], figure)
    for body in bodies[1:]:
        box = box.union(body_box(body, figure))
    for prop in figure.props:
        if isinstance(prop, Chair):
            box = box.union(Box(prop.x - 44, 0, prop.x + 2, prop.seat + 46))
        elif isinstance(prop, Wall):
            x0 = prop.x - 10 if prop.side == "left" else prop.x
            box = box.union(Box(x0, 0, x0 + 10, box.top))
        elif isinstance(prop, Bike):
            s, b = prop.saddle, prop.bars
            box = box.union(Box(min(s.x, prop.crank.x) - 30, 0, b.x + 34, max(s.y, b.y) + 6))
        elif isinstance(prop, Pillow):
            box = box.union(Box(prop.x - prop.width / 2, 0, prop.x + prop.width / 2, prop.height))
        elif isinstance(prop, Water):
            box = box.union(Box(box.left, 0, box.right, prop.level + 4))
    return Box(box.left - MARGIN, -FLOOR_T, box.right + MARGIN, box.top + MARGIN)


def _world_shapes(
    figure: Figure, box: Box, bodies: Sequence[Body]
) -> tuple[list[Shape], list[Shape]]:
    """Props that stay put: those behind the figure, and those in front of it (water)."""
    behind = [Shape(_rect(box.left, 0, box.right, -FLOOR_T), _fill(FLOOR_INK))]
    in_front: list[Shape] = []
    for prop in figure.props:
        if isinstance(prop, Wall):
            x0 = prop.x - 10 if prop.side == "left" else prop.x
            behind.append(Shape(_rect(x0, 0, x0 + 10, box.top), _stroke(PROP_INK, 1.5, PROP_FILL)))
        elif isinstance(prop, Chair):
            x, s = prop.x, prop.seat
            frame = f"{_line((x - 40, s + 44), (x - 40, 0))} {_line((x - 40, s), (x, s), (x, 0))}"
            behind.append(Shape(frame, _stroke(PROP_INK, 4, **ROUND)))
        elif isinstance(prop, Bike):
            behind += _bike(prop)
        elif isinstance(prop, Pillow):
            w, h = prop.width / 2, prop.height
            outline = _smooth(
                (prop.x, 0),
                (prop.x - w, 0),
                (prop.x - w, h),
                (prop.x + w, h),
                (prop.x + w, 0),
                (prop.x, 0),
            )
            behind.append(Shape(outline, _stroke(PROP_INK, 1.5, PROP_FILL)))
        elif isinstance(prop, Mat):
            xs = [x for body in bodies for x, _ in body.points.values()]
            mat = _rect(min(xs) - 12, 0, max(xs) + 12, -2.5)
            behind.append(Shape(mat, _stroke(MAT_INK, 1, MAT_FILL)))
        elif isinstance(prop, Water):
            level = prop.level
            in_front.append(
                Shape(
                    _rect(box.left, 0, box.right, level),
                    _fill(WATER_FILL, **{"fill-opacity": "0.25"}),
                )
            )
            steps = int((box.right - box.left) // 10) + 1
            waves = [(box.left + i * 10, level + (1.5 if i % 2 else -1.5)) for i in range(steps)]
            in_front.append(Shape(_line(*waves), _stroke(WATER_INK, 2)))
    return behind, in_front


def _bike(bike: Bike) -> list[Shape]:
    saddle, crank, bars = (
        (bike.saddle.x, bike.saddle.y),
        (bike.crank.x, bike.crank.y),
        (bike.bars.x, bike.bars.y),
    )
    foot = (bars[0] + 24, 0.0)
    frame = " ".join(
        (
            _line((saddle[0] - 10, saddle[1] + 3), (saddle[0] + 10, saddle[1] + 3)),
            _line(saddle, crank, foot),
            _line((crank[0] - 30, 0), (foot[0] + 10, 0)),
            _line(crank, (bars[0] - 4, bars[1] - 8), bars, (bars[0] + 8, bars[1] + 2)),
        )
    )
    return [
        Shape(frame, _stroke(LIGHT_PROP_INK, 4, **ROUND)),
        Shape(_circle((foot[0] - 4, 22), 18), _stroke(LIGHT_PROP_INK, 3)),
        Shape(_circle(crank, 6), _fill(LIGHT_PROP_INK)),
    ]


# --- SVG --------------------------------------------------------------------------------------


def describe(figure: Figure) -> str:
    """The text alternative: what the start and end poses show."""
    return f"Start: {figure.start.says}. End: {figure.end.says}."


def _path(parent: ET.Element, shape: Shape) -> ET.Element:
    return ET.SubElement(parent, "path", {"d": shape.d, **dict(sorted(shape.style.items()))})


def _svg(
    figure: Figure, mode: Mode, title: str, box: Box, width: float, height: float
) -> ET.Element:
    prefix = f"bp-fig-{figure.id}-{mode}"
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"{_n(box.left)} {_n(-box.top)} {_n(width)} {_n(height)}",
            "role": "img",
            "aria-labelledby": f"{prefix}-title {prefix}-desc",
            "class": "bp-figure",
        },
    )
    ET.SubElement(root, "title", {"id": f"{prefix}-title"}).text = title
    ET.SubElement(root, "desc", {"id": f"{prefix}-desc"}).text = describe(figure)
    return root


def _scene(
    parent: ET.Element, figure: Figure, bodies: Sequence[Body], which: int, box: Box
) -> None:
    behind, in_front = _world_shapes(figure, box, bodies)
    for shape in [*behind, *body_shapes(bodies[which], figure, cues=which == 0), *in_front]:
        _path(parent, shape)


def _timeline(steps: int) -> tuple[list[int], list[float]]:
    """Frame numbers of one loop (pause, there, pause, back) and their key times (0 to 1)."""
    order = [0, 0, *range(1, steps + 1), steps, *range(steps - 1, -1, -1)]
    there = [HOLD_S + MOVE_S * k / steps for k in range(1, steps + 1)]
    back = [2 * HOLD_S + MOVE_S + MOVE_S * k / steps for k in range(1, steps + 1)]
    times = [0.0, HOLD_S, *there, 2 * HOLD_S + MOVE_S, *back]
    return order, [t / times[-1] for t in times]


def _animated(figure: Figure, title: str, bodies: Sequence[Body], box: Box) -> ET.Element:
    root = _svg(figure, "animated", title, box, box.right - box.left, box.top - box.bottom)
    ET.SubElement(
        root, "style"
    ).text = (
        "@media (prefers-reduced-motion: reduce){.bp-moving{display:none}.bp-still{display:inline}}"
    )
    behind, in_front = _world_shapes(figure, box, bodies)
    for shape in behind:
        _path(root, shape)
    moving = ET.SubElement(root, "g", {"class": "bp-moving"})
    frames = [body_shapes(body, figure) for body in bodies]
    order, times = _timeline(len(bodies) - 1)
    timing = {
        "dur": f"{2 * (HOLD_S + MOVE_S):.1f}s",
        "repeatCount": "indefinite",
        "calcMode": "linear",
        "keyTimes": ";".join(f"{t:.4f}" for t in times),
    }
    for i, shape in enumerate(frames[0]):
        values = [frames[k][i].d for k in order]
        element = _path(moving, shape)
        if len(set(values)) > 1:
            ET.SubElement(
                element, "animate", {"attributeName": "d", **timing, "values": ";".join(values)}
            )
    still = ET.SubElement(root, "g", {"class": "bp-still", "display": "none"})
    ghost = ET.SubElement(still, "g", {"opacity": "0.35"})
    for shape in body_shapes(bodies[-1], figure, cues=False):
        _path(ghost, shape)
    for shape in body_shapes(bodies[0], figure):
        _path(still, shape)
    for shape in in_front:
        _path(root, shape)
    return root


FRAME_WORDS = ("Start", "End")


def frame_label(index: int, caption: str) -> tuple[str, str]:
    """The bold word naming the frame ('Start' or 'End') and the caption after it, so each
    picture says plainly which position is which: ('Start', ''), ('End', ': Lift')."""
    word = FRAME_WORDS[index]
    return word, "" if caption.strip().lower() == word.lower() else f": {caption}"


def _frames(figure: Figure, title: str, bodies: Sequence[Body], box: Box) -> ET.Element:
    # Captions grow with a wide (lying) figure so they stay readable when it is scaled down.
    font = min(max(CAPTION_FONT, 0.07 * (box.right - box.left)), 1.6 * CAPTION_FONT)
    labels = [frame_label(i, f.caption) for i, f in enumerate((figure.start, figure.end))]
    widest = max(len(word) + len(rest) for word, rest in labels)
    box = box.widened(widest * 0.6 * font + 2 * MARGIN)
    w, h = box.right - box.left, box.top - box.bottom
    band = font * CAPTION_H / CAPTION_FONT
    root = _svg(figure, "frames", title, box, 2 * w + GAP, h + band)
    for i in range(2):
        panel = ET.SubElement(root, "g", {"transform": f"translate({_n(i * (w + GAP))} 0)"})
        _scene(panel, figure, bodies, -i, box)
        caption = ET.SubElement(
            panel,
            "text",
            {
                "x": _n(box.left + w / 2),
                "y": _n(-box.bottom + band - font / 2),
                "text-anchor": "middle",
                "font-family": FONT,
                "font-size": _n(font),
                "fill": INK,
            },
        )
        word = ET.SubElement(caption, "tspan", {"font-weight": "bold"})
        word.text, word.tail = labels[i]
    arrow = _arrow((box.right + 8, (box.top + box.bottom) / 2), 0, GAP - 16)
    _path(root, Shape(arrow, _stroke(PROP_INK, 3, **ROUND)))
    return root


def render_svg(exercise_id: str, mode: str = "animated", *, title: str | None = None) -> str:
    """The exercise's picture as one standalone SVG document.

    ``animated`` loops start, end, start (SMIL, no script); ``frames`` puts start and end side
    by side, labelled 'Start' and 'End' with their captions, for print and reduced motion;
    ``start`` and ``end`` draw one pose. ``title`` replaces the figure's own title (e.g. with
    the exercise's name).

    Raises:
        InvalidInput: unknown exercise id or mode.
        KnowledgeBaseError: the exercise's pose file is broken.
    """
    if mode not in MODES:
        raise InvalidInput("mode", f"must be one of {', '.join(MODES)}, not '{mode}'")
    figure = load_figure(exercise_id)
    label = title or figure.title
    bodies = [posed(figure, pose) for pose in movement(figure)]
    box = scene_box(figure, bodies)
    if mode == "animated":
        root = _animated(figure, label, bodies, box)
    elif mode == "frames":
        root = _frames(figure, label, bodies, box)
    else:
        root = _svg(figure, mode, label, box, box.right - box.left, box.top - box.bottom)
        _scene(root, figure, bodies, 0 if mode == "start" else -1, box)
    return ET.tostring(root, encoding="unicode")
