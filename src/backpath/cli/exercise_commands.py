"""``backpath exercises`` and ``backpath exercise ID``: the home-exercise library.

- ``exercises [--phase P] [--format json]``: every exercise (or those for one phase) with its
  targets, phases and starting dose.
- ``exercise ID [--format json] [--svg FILE [--picture MODE]]``: one exercise's card (dose,
  limits, how to do it, steps, precautions, stop rules, who should avoid it, sources); with
  ``--svg`` its picture is saved as a standalone SVG file.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from backpath import DISCLAIMER
from backpath.cli.app import FORMATS, FormatOpt, choice, emit_json
from backpath.errors import InvalidInput

if TYPE_CHECKING:
    from rich.console import Console

    from backpath.exercises import Dose, Exercise, Step


def summary(ex: Exercise) -> dict[str, Any]:
    """One library exercise in brief, for ``exercises --format json``."""
    return {
        "id": ex.id,
        "name": ex.name,
        "summary": ex.summary.strip(),
        "targets": list(ex.targets),
        "phases": list(ex.phases),
        "evidence_class": ex.evidence_class,
        "treatments": list(ex.treatments),
        "equipment": list(ex.equipment),
        "class_based": ex.class_based,
        "clinician_guided": ex.clinician_guided,
        "dose": ex.dose.model_dump(mode="json", exclude_none=True),
        "dose_text": ex.dose.text(),
    }


def _list_text(exercises: list[Exercise], phase: str | None) -> None:
    from rich.markup import escape

    from backpath.cli.render import console

    out = console()
    which = f" for {phase} pain" if phase else ""
    out.print(f"[bold]{len(exercises)} home exercises{which}[/] (id, targets, phases, start dose)")
    for ex in exercises:
        targets = ", ".join(ex.targets)
        phases = ", ".join(ex.phases)
        out.print(
            f"  {ex.id:<24} {targets:<28} {phases:<26} {escape(ex.dose.text()):<44} "
            f"{escape(ex.name)}"
        )
    out.print("\nShow one with 'backpath exercise ID'.")
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def _steps(out: Console, title: str, steps: list[Step], start: Dose) -> None:
    from rich.markup import escape

    if not steps:
        return
    out.print(f"\n[bold]{title}[/]")
    dose = start
    for i, step in enumerate(steps, 1):
        dose = step.dose or dose
        out.print(f"  {i}. {escape(step.instruction.strip())} ({escape(dose.text())})")


def _card_text(ex: Exercise) -> None:
    from rich.markup import escape

    from backpath.cli.render import console
    from backpath.engine.eligibility import label
    from backpath.exercises import load_stop_rules

    out = console()
    out.print(f"[bold]{escape(ex.name)}[/] ({ex.id}) - {escape(ex.summary.strip())}")
    out.print(
        f"Targets: {', '.join(ex.targets)}; phases: {', '.join(ex.phases)}; evidence class "
        f"{ex.evidence_class}; part of: {', '.join(ex.treatments)}"
    )
    out.print(f"Equipment: {', '.join(ex.equipment) or 'none'}")
    if ex.clinician_guided:
        out.print("[yellow]Chosen by a clinician after assessment, never automatically.[/]")
    if ex.class_based:
        out.print("Needs a class or an instructor.")
    out.print(f"\n[bold]Starting dose[/]: {escape(ex.dose.text())}")
    limits = [
        f"{name} {b.min}-{b.max}"
        for name in ("sets", "reps", "hold_seconds", "minutes", "per_day", "per_week")
        if (b := getattr(ex.limits, name)) is not None
    ]
    out.print(f"Limits: {'; '.join(limits)}")
    out.print(f"Next step after {ex.progress_after_days} days done comfortably.")
    how = ex.instructions
    out.print(f"\n[bold]Start position[/]: {escape(how.start_position.strip())}")
    out.print("[bold]Movement[/]")
    for i, line in enumerate(how.movement, 1):
        out.print(f"  {i}. {escape(line.strip())}")
    out.print(f"[bold]Breathing[/]: {escape(how.breathing.strip())}")
    out.print("[bold]Common mistakes[/]")
    for line in how.common_mistakes:
        out.print(f"  - {escape(line.strip())}")
    _steps(out, "Progression (harder)", ex.progression, ex.dose)
    _steps(out, "Regression (easier)", ex.regression, ex.dose)
    if ex.precautions:
        out.print("\n[bold]Precautions[/]")
        for line in ex.precautions:
            out.print(f"  - {escape(line.strip())}")
    rules = load_stop_rules()
    out.print("\n[bold]Stop rules[/]")
    for rule_id in ex.stop_rules:
        out.print(f"  - {escape(rules[rule_id].patient_text.strip())} {escape(f'[{rule_id}]')}")
    if ex.avoid:
        out.print("\n[bold]Never for[/]")
        for a in ex.avoid:
            out.print(f"  - {escape(label(a.tag))}: {escape(a.reason.strip())}")
    if ex.caution:
        out.print("\n[bold]With care for[/]")
        for c in ex.caution:
            out.print(f"  - {escape(label(c.tag))}: {escape(c.precaution.strip())}")
    if ex.goal:
        out.print(f"\n[bold]Goal[/]: {escape(ex.goal.text.strip())}")
    out.print(f"\nSources: {', '.join(sorted(ex.source_ids()))}")
    out.print(f"Picture: 'backpath exercise {ex.id} --svg {ex.id}.svg' saves it as SVG.")
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def _unknown(exercise_id: str, ids: list[str]) -> InvalidInput:
    close = difflib.get_close_matches(exercise_id, ids, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return InvalidInput(
        "ID",
        f"unknown exercise '{exercise_id}'; {hint}'backpath exercises' lists the {len(ids)} ids",
    )


def _save_svg(path: Path, exercise_id: str, mode: str, title: str) -> None:
    from backpath.reports.figures import render_svg

    svg = render_svg(exercise_id, mode, title=title)
    try:
        path.write_text(svg, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput("--svg", f"cannot write {path}: {exc.strerror or exc}") from None


def exercises(
    phase: Annotated[str | None, typer.Option("--phase", help="acute, subacute or chronic")] = None,
    format: FormatOpt = "text",
) -> None:
    """List the home-exercise library."""
    from backpath.exercises import load_exercises
    from backpath.knowledge import PHASES

    fmt = choice("--format", format, FORMATS)
    if phase is not None:
        choice("--phase", phase, tuple(PHASES))
    chosen = [ex for ex in load_exercises().values() if phase is None or phase in ex.phases]
    if fmt == "json":
        emit_json([summary(ex) for ex in chosen], "exercises")
    else:
        _list_text(chosen, phase)


def exercise(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="An exercise id")],
    format: FormatOpt = "text",
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Save the exercise's picture to this file")
    ] = None,
    picture: Annotated[
        str, typer.Option("--picture", help="animated, frames, start or end (with --svg)")
    ] = "frames",
) -> None:
    """Show one exercise's card; with --svg, save its picture."""
    from backpath.exercises import load_exercises
    from backpath.reports.figures import MODES

    fmt = choice("--format", format, FORMATS)
    mode = choice("--picture", picture, MODES)
    library = load_exercises()
    ex = library.get(exercise_id)
    if ex is None:
        raise _unknown(exercise_id, list(library))
    if svg is not None:
        _save_svg(svg, ex.id, mode, ex.name)
    if fmt == "json":
        card = ex.model_dump(mode="json", exclude_none=True)
        emit_json({**card, **({"svg": str(svg)} if svg else {})})
    else:
        _card_text(ex)
        if svg is not None:
            typer.echo(f"Picture saved to {svg}.")
