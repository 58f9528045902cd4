"""The ``backpath`` command: every command module's functions registered on one app.

Every failure the user can cause exits 2 with one line on stderr (``field: message``) and
nothing on stdout; an error in BackPath itself exits 1 with one line, never a traceback.
The command modules import only ``backpath.cli.app`` (never this module or each other), and
each imports the domain, Rich or Django only when its command runs.
"""

from __future__ import annotations

import sys

import typer

from backpath.cli import (
    account_commands,
    care_commands,
    ehr_commands,
    exercise_commands,
    fhir_commands,
    smart_commands,
    web_commands,
)
from backpath.cli.app import app, edge
from backpath.errors import BackPathError

app.command()(edge(care_commands.assess))
app.command()(edge(care_commands.treatments))
app.command()(edge(care_commands.treatment))
app.command()(edge(care_commands.score))
app.command()(edge(care_commands.sources))
app.command()(edge(web_commands.demo))
app.command()(edge(web_commands.serve))
app.command("send-reminders")(edge(web_commands.send_reminders))
app.command()(edge(account_commands.createclinic))
app.command("register-smart")(edge(smart_commands.register_smart))
app.command()(edge(web_commands.worker))
app.command("register-ehr")(edge(ehr_commands.register_ehr))
import_app = typer.Typer(help="Read data from other systems.", no_args_is_help=True)
import_app.command("fhir")(edge(fhir_commands.import_fhir))
app.add_typer(import_app, name="import")
export_app = typer.Typer(help="Write data for other systems.", no_args_is_help=True)
export_app.command("fhir")(edge(fhir_commands.export_fhir))
app.add_typer(export_app, name="export")
app.command()(edge(exercise_commands.exercises))
app.command()(edge(exercise_commands.exercise))

__all__ = ["app", "main"]


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
