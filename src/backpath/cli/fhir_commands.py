"""``backpath import fhir``: an EHR's FHIR R4B Bundle in, a BackPath intake (or plan) out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer

from backpath.errors import InvalidInput

import_app = typer.Typer(help="Read data from other systems.", no_args_is_help=True)


def register(app: typer.Typer, edge: Callable[[Callable[..., None]], Callable[..., None]]) -> None:
    """Add ``backpath import fhir`` to the main app, with the same error edge as every command."""
    from backpath.cli.main import read_json

    def fhir(
        file: Annotated[str, typer.Argument(help="A FHIR R4B Bundle (JSON), or - for stdin")],
        assess: Annotated[bool, typer.Option(help="Print the plan instead of the intake")] = False,
    ) -> None:
        """Turn a FHIR Bundle (Patient, Conditions, QuestionnaireResponses, medications) into
        an intake; with --assess, assess it and print the plan as contract JSON."""
        from backpath.interop import intake_from_bundle

        bundle = read_json(file, "bundle")
        if not isinstance(bundle, dict):
            raise InvalidInput("bundle", "must be a JSON object of resourceType Bundle")
        intake = intake_from_bundle(bundle)
        if assess:
            from backpath.engine import assess_and_plan

            typer.echo(json.dumps(assess_and_plan(intake).to_json_dict(), indent=2))
        else:
            typer.echo(json.dumps(intake, indent=2))

    import_app.command("fhir")(edge(fhir))
    app.add_typer(import_app, name="import")
