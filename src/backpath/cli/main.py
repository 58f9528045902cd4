"""The ``backpath`` command. It only reads input, calls one domain function and formats.

Every failure the user can cause exits 2 with one line on stderr (``field: message``) and
nothing on stdout; an error in BackPath itself exits 1 with one line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from backpath.cli import render
from backpath.errors import BackPathError, InvalidInput, KnowledgeBaseError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="BackPath: evidence-based, non-surgical back pain care. "
    "It supports, and does not replace, a clinician's judgement.",
)

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="text or json")]


def edge(func: Callable[P, R]) -> Callable[P, R]:
    """Turn BackPath errors into one stderr line and an exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except KnowledgeBaseError as exc:
            typer.echo(f"knowledge base error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper


def choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``; otherwise InvalidInput naming the option."""
    if value not in allowed:
        raise InvalidInput(option, f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


def read_json(path: str, what: str) -> Any:
    """Read a JSON file given on the command line, with errors that name the file."""
    file = Path(path)
    if path != "-" and not file.is_file():
        raise InvalidInput(what, f"file not found: {path}")
    try:
        text = sys.stdin.read() if path == "-" else file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(what, f"cannot read {path}: {exc.__class__.__name__}") from None
    if not text.strip():
        raise InvalidInput(what, f"{path} is empty; expected a JSON object")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            what, f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON (non-ASCII kept as is)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command()
@edge
def assess(
    file: Annotated[
        str, typer.Argument(help="Intake JSON file (backpath.intake/1), or - for stdin")
    ],
    format: FormatOpt = "text",
    guideline: Annotated[str, typer.Option(help="consensus, acp, nice or who")] = "consensus",
) -> None:
    """Assess an intake and print the plan."""
    from backpath.engine import PROFILES, assess_and_plan

    fmt = choice("--format", format, ("text", "json"))
    profile = choice("--guideline", guideline, PROFILES)
    plan = assess_and_plan(read_json(file, "intake"), profile)  # type: ignore[arg-type]
    if fmt == "json":
        emit_json(plan.to_json_dict())
    else:
        render.plan(plan)


@app.command()
@edge
def treatments(format: FormatOpt = "text") -> None:
    """List every treatment in the knowledge base."""
    fmt = choice("--format", format, ("text", "json"))
    from backpath.knowledge import load_knowledge

    kb = load_knowledge()
    if fmt == "json":
        emit_json([render.treatment_summary(t) for t in kb.treatments.values()])
    else:
        render.treatment_list(kb)


@app.command()
@edge
def treatment(
    treatment_id: Annotated[str, typer.Argument(metavar="ID", help="A treatment id")],
    format: FormatOpt = "text",
) -> None:
    """Show one treatment's full card."""
    fmt = choice("--format", format, ("text", "json"))
    from backpath.knowledge import load_knowledge

    kb = load_knowledge()
    if treatment_id not in kb.treatments:
        raise InvalidInput("ID", f"unknown treatment '{treatment_id}'; see 'backpath treatments'")
    t = kb.treatment(treatment_id)
    if fmt == "json":
        emit_json(t.model_dump(mode="json", exclude_none=True))
    else:
        render.treatment_card(t, kb)


@app.command()
@edge
def score(
    instrument: Annotated[str, typer.Argument(help="nrs, odi, rmdq, startback, peg or red_flags")],
    file: Annotated[str, typer.Argument(help='Answers as JSON: a list, or {"answers": ...}')],
    format: FormatOpt = "text",
) -> None:
    """Score a questionnaire."""
    fmt = choice("--format", format, ("text", "json"))
    from backpath import instruments

    data = read_json(file, "answers")
    if isinstance(data, dict) and "answers" in data:
        data = data["answers"]
    result = instruments.score(instrument, data)
    if fmt == "json":
        emit_json(result.to_dict())
    else:
        render.score(result)


@app.command()
@edge
def sources(format: FormatOpt = "text") -> None:
    """List every cited source."""
    fmt = choice("--format", format, ("text", "json"))
    from backpath.knowledge import load_knowledge

    kb = load_knowledge()
    if fmt == "json":
        emit_json([s.model_dump(mode="json", exclude_none=True) for s in kb.sources.values()])
    else:
        render.source_list(kb)


def main() -> None:
    """Console entry point: the last guard against a traceback reaching the user."""
    try:
        app()
    except BackPathError as exc:  # pragma: no cover - edge() handles these per command
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # pragma: no cover - defensive
        typer.echo(f"internal error: {exc.__class__.__name__}: {exc}", err=True)
        sys.exit(1)


from backpath.cli.web_commands import register as register_web_commands  # noqa: E402

register_web_commands(app, edge)

from backpath.cli.fhir_commands import register as register_fhir_commands  # noqa: E402

register_fhir_commands(app, edge)

from backpath.cli.exercise_commands import register as register_exercise_commands  # noqa: E402

register_exercise_commands(app, edge)
