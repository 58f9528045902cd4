"""The clinical commands: ``assess``, ``score``, ``treatments``, ``treatment ID`` and ``sources``.

Each reads its input, calls one domain function and formats; the engine, the knowledge base
and the terminal renderer are imported when the command runs, so ``assess --format json``
loads neither Rich nor the parts of the engine it does not use.
"""

from __future__ import annotations

from typing import Annotated

import typer

from backpath.cli.app import FORMATS, FormatOpt, choice, emit_json, read_json
from backpath.errors import InvalidInput


def assess(
    file: Annotated[
        str, typer.Argument(help="Intake JSON file (backpath.intake/1), or - for stdin")
    ],
    format: FormatOpt = "text",
    guideline: Annotated[str, typer.Option(help="consensus, acp, nice or who")] = "consensus",
) -> None:
    """Assess an intake and print the plan."""
    from backpath.engine import PROFILES, assess_and_plan

    fmt = choice("--format", format, FORMATS)
    profile = choice("--guideline", guideline, PROFILES)
    plan = assess_and_plan(read_json(file, "intake"), profile)  # type: ignore[arg-type]
    if fmt == "json":
        emit_json(plan.to_json_dict())
    else:
        from backpath.cli import render

        render.plan(plan)


def treatments(format: FormatOpt = "text") -> None:
    """List every treatment in the knowledge base."""
    fmt = choice("--format", format, FORMATS)
    from backpath.cli import render
    from backpath.knowledge import load_knowledge

    kb = load_knowledge()
    if fmt == "json":
        emit_json([render.treatment_summary(t) for t in kb.treatments.values()], "treatments")
    else:
        render.treatment_list(kb)


def treatment(
    treatment_id: Annotated[str, typer.Argument(metavar="ID", help="A treatment id")],
    format: FormatOpt = "text",
) -> None:
    """Show one treatment's full card."""
    fmt = choice("--format", format, FORMATS)
    from backpath.knowledge import load_knowledge

    kb = load_knowledge()
    if treatment_id not in kb.treatments:
        raise InvalidInput("ID", f"unknown treatment '{treatment_id}'; see 'backpath treatments'")
    t = kb.treatment(treatment_id)
    if fmt == "json":
        emit_json(t.model_dump(mode="json", exclude_none=True))
    else:
        from backpath.cli import render

        render.treatment_card(t, kb)


def score(
    instrument: Annotated[str, typer.Argument(help="nrs, odi, rmdq, startback, peg or red_flags")],
    file: Annotated[str, typer.Argument(help='Answers as JSON: a list, or {"answers": ...}')],
    format: FormatOpt = "text",
) -> None:
    """Score a questionnaire."""
    fmt = choice("--format", format, FORMATS)
    from backpath import instruments

    data = read_json(file, "answers")
    if isinstance(data, dict) and "answers" in data:
        data = data["answers"]
    result = instruments.score(instrument, data)
    if fmt == "json":
        emit_json(result.to_dict())
    else:
        from backpath.cli import render

        render.score(result)


def sources(format: FormatOpt = "text") -> None:
    """List every cited source."""
    fmt = choice("--format", format, FORMATS)
    from backpath.knowledge import load_knowledge

    kb = load_knowledge()
    if fmt == "json":
        emit_json(
            [s.model_dump(mode="json", exclude_none=True) for s in kb.sources.values()], "sources"
        )
    else:
        from backpath.cli import render

        render.source_list(kb)
