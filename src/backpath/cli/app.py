"""The ``backpath`` Typer app and what every command shares: the error edge, option checks,
reading JSON input and printing JSON output in one envelope.

Command modules import from here; ``backpath.cli.main`` imports the command modules and
registers them, so no command module imports another or ``main``. This module imports only
Typer and the standard library: each command imports what it needs when it runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from backpath import DISCLAIMER
from backpath.errors import InvalidInput, KnowledgeBaseError

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

FORMATS = ("text", "json")
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
    except RecursionError:
        raise InvalidInput(what, f"{path} nests arrays or objects too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InvalidInput(what, f"{path} holds a value that cannot be read ({exc})") from None


def envelope(data: dict[str, Any] | list[Any], key: str | None = None) -> dict[str, Any]:
    """The one JSON envelope: an object with the ``disclaimer`` at the top level.

    An object keeps its keys and gains ``disclaimer`` (a plan, which carries it already, is
    unchanged); a list is put under ``key`` (``{"treatments": [...], "disclaimer": ...}``).
    """
    if isinstance(data, list):
        if key is None:
            raise ValueError("a list needs a key in the envelope")
        return {key: data, "disclaimer": DISCLAIMER}
    return {**data, "disclaimer": DISCLAIMER}


def emit_json(data: dict[str, Any] | list[Any], key: str | None = None) -> None:
    """Print a command's result as indented JSON in the envelope (non-ASCII kept as is)."""
    typer.echo(json.dumps(envelope(data, key), indent=2, ensure_ascii=False))
